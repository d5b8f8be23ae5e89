import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepBuffers, sweepFiles } from "../../../test/helpers/canary.js";
import { createTestCore, type TestCore } from "../../../test/helpers/core.js";
import {
  createSourceDatabase,
  credentialValues,
  HOSTILE_SCHEMA,
  type SourceDatabase,
} from "../../../test/helpers/source-db.js";
import { createActivityContext } from "../../app-sdk/context.js";
import type { AnyApp } from "../../app-sdk/define-app.js";
import { readJsonl } from "../../app-sdk/jsonl.js";
import { createAppRegistry } from "../../app-sdk/registry.js";
import { createCredentialService } from "../../credentials/service.js";
import type { CredentialService } from "../../credentials/types.js";
import type { Accessor } from "../../secret-store/types.js";
import type { Run } from "../../state-store/types.js";
import { withConnection } from "./connect.js";
import {
  type ColumnRecord,
  type DatabaseRecord,
  pageColumns,
  pageTables,
  type SchemaRecord,
  type TableRecord,
} from "./extract.js";
import { type PostgresCredential, postgresApp } from "./index.js";

const op: Accessor = { kind: "operator", tenant: "acme", principal: "extract-test" };
const app: AnyApp = postgresApp; // what the orchestrator holds

interface Output {
  dir: string;
  files: string[];
  databases: DatabaseRecord[];
  schemas: SchemaRecord[];
  tables: TableRecord[];
  columns: ColumnRecord[];
  run: Run;
}

async function all<T>(dir: string, name: string): Promise<T[]> {
  const out: T[] = [];
  for await (const r of readJsonl<T>(dir, name)) out.push(r);
  return out;
}

const byKey = <T>(rows: T[], key: (r: T) => string) =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe("postgres app: extraction workflow", () => {
  let core: TestCore;
  let src: SourceDatabase;
  let svc: CredentialService;
  let guid: string;
  const dirs: string[] = [];

  /** Runs every step of the app's workflow directly, the way the orchestrator does. */
  async function runWorkflow(config: Record<string, unknown>, credentialGuid = guid): Promise<Output> {
    const wf = await core.stateStore.createWorkflow({
      tenant: "acme",
      app: "postgres",
      credentialGuid,
      config,
      schedule: null,
    });
    const runId = randomUUID();
    await core.stateStore.createRun({ id: runId, workflowId: wf.id, tenant: "acme", trigger: "manual" });
    await core.stateStore.markRunning(runId);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gv-extract-"));
    dirs.push(dir);
    await core.stateStore.setOutputDir(runId, dir);
    try {
      for (const step of app.workflow.steps) {
        const { ctx, end } = createActivityContext({
          workflowId: wf.id,
          runId,
          tenant: "acme",
          step: step.name,
          config: app.parseConfig(wf.config) as Record<string, unknown>,
          outputDir: dir,
          logger: core.logger,
          resolve: () => svc.resolve(credentialGuid, op),
          addCounts: (c) => core.stateStore.addCounts(runId, c),
        });
        try {
          await step.run(ctx);
          await end("succeeded");
        } catch (err) {
          await end("failed");
          throw err;
        }
      }
      await core.stateStore.finishRun(runId, "succeeded");
    } catch (err) {
      await core.stateStore.finishRun(runId, "failed", {
        code: (err as { code?: string }).code ?? "INTERNAL",
        detail: String((err as Error).message),
      });
      throw Object.assign(err as Error, { dir, runId });
    }
    return {
      dir,
      files: (await fs.readdir(dir)).sort(),
      databases: await all(dir, "databases"),
      schemas: await all(dir, "schemas"),
      tables: await all(dir, "tables"),
      columns: await all(dir, "columns"),
      run: (await core.stateStore.getRun(runId)) as Run,
    };
  }

  beforeAll(async () => {
    [core, src] = await Promise.all([createTestCore(), createSourceDatabase({ secondDatabase: true })]);
    svc = createCredentialService({
      secretStore: core.secretStore,
      stateStore: core.stateStore,
      apps: createAppRegistry([postgresApp]),
    });
    const values = {
      ...credentialValues(src),
    };
    guid = (await svc.create("acme", { app: "postgres", authType: "basic", values }, op)).guid;
  });
  afterAll(async () => {
    await core?.close();
    await src?.drop();
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  it("case 001: extracts the whole source, matching its information_schema exactly (names and counts)", async () => {
    const out = await runWorkflow({});
    expect(out.files).toEqual(["columns.jsonl", "databases.jsonl", "schemas.jsonl", "tables.jsonl"]);
    expect(out.databases.map((d) => d.database)).toEqual([src.database]);
    expect(out.schemas.map((s) => s.schema)).toEqual(src.expected.schemas);
    expect(out.tables.map(({ schema, table, table_type }) => ({ schema, table, table_type }))).toEqual(
      src.expected.tables,
    );
    const cols = out.columns.map(
      ({ schema, table, column, ordinal_position, data_type, is_nullable, column_default, comment }) => ({
        schema,
        table,
        column,
        ordinal_position,
        data_type,
        is_nullable,
        column_default,
        comment,
      }),
    );
    expect(cols).toEqual(src.expected.columns);
    expect(out.run.status).toBe("succeeded");
    expect(out.run.counts).toEqual(src.expected.counts);
    // the source is big enough to mean something
    expect(src.expected.counts.schemas).toBeGreaterThanOrEqual(3);
    expect(src.expected.counts.tables).toBeGreaterThanOrEqual(20);
    expect(src.expected.counts.views).toBeGreaterThanOrEqual(2);
    expect(out.columns.filter((c) => c.comment !== null).length).toBeGreaterThanOrEqual(20);
    expect(out.tables.filter((t) => t.table_type === "VIEW").map((t) => t.table)).toEqual([
      "v_active_employees",
      "v_order_totals",
      "v.iew",
    ]);
    // the password is nowhere in the output files or the run record, in any encoding
    expect(await sweepFiles([out.dir], [src.password, src.canary])).toEqual([]);
    expect(
      sweepBuffers([{ where: "run", data: JSON.stringify(out.run) }], [src.password, src.canary]),
    ).toEqual([]);
  });

  it("case 005: hostile schema, table and column names are extracted verbatim", async () => {
    const out = await runWorkflow({ include: [`${src.database}."${HOSTILE_SCHEMA.replaceAll('"', '""')}"`] });
    expect(out.schemas.map((s) => s.schema)).toEqual([HOSTILE_SCHEMA]);
    expect(byKey(out.tables, (t) => t.table).map((t) => t.table)).toEqual(
      byKey(
        src.expected.tables.filter((t) => t.schema === HOSTILE_SCHEMA),
        (t) => t.table,
      ).map((t) => t.table),
    );
    expect(out.columns.find((c) => c.table === "🙂" && c.column === "col'; --")).toMatchObject({
      comment: "hostile; comment'--",
      column_default: "'x''y'::text",
    });
  });

  it("honours include and exclude patterns", async () => {
    const db = src.database;
    const a = await runWorkflow({
      include: [`${db}.*`],
      exclude: ["*.archive", "*.public", `"${db}"."${HOSTILE_SCHEMA.replaceAll('"', '""')}"`],
    });
    expect(a.schemas.map((s) => s.schema)).toEqual(["hr", "inventory", "sales"]);
    const want = src.expected.tables.filter((t) => ["hr", "inventory", "sales"].includes(t.schema));
    expect(a.tables.map(({ schema, table, table_type }) => ({ schema, table, table_type }))).toEqual(want);
    expect(a.columns.length).toBe(
      src.expected.columns.filter((c) => ["hr", "inventory", "sales"].includes(c.schema)).length,
    );
    expect(a.run.counts).toEqual({
      databases: 1,
      schemas: 3,
      tables: want.filter((t) => t.table_type !== "VIEW").length,
      views: 2,
      columns: a.columns.length,
    });

    const b = await runWorkflow({ include: [`${db}.sales`, `${db}.inv*`] });
    expect(b.schemas.map((s) => s.schema)).toEqual(["inventory", "sales"]);
    expect(new Set(b.columns.map((c) => c.schema))).toEqual(new Set(["inventory", "sales"]));

    const none = await runWorkflow({ include: ["other_db.*"] });
    expect(none.databases).toEqual([]);
    expect(none.run.counts).toEqual({ databases: 0, schemas: 0, tables: 0, views: 0, columns: 0 });
  });

  it("all_databases visits every selected database the role can connect to", async () => {
    const db = src.database;
    const both = await runWorkflow({ all_databases: true, include: [db, `${db}_b.*`] });
    expect(both.databases.map((d) => d.database)).toEqual([db, `${db}_b`]);
    expect(both.schemas.filter((s) => s.database === `${db}_b`).map((s) => s.schema)).toEqual([
      "other",
      "public",
    ]);
    expect(both.tables.filter((t) => t.database === `${db}_b`).map((t) => t.table)).toEqual(["t"]);
    const one = await runWorkflow({ all_databases: true, include: [`${db}*`], exclude: [`${db}_b`] });
    expect(one.databases.map((d) => d.database)).toEqual([db]);
  });

  it("a wrong password fails the first step with AUTH_FAILED and writes no file", async () => {
    const bad = await svc.create(
      "acme",
      {
        app: "postgres",
        authType: "basic",
        values: {
          ...credentialValues(src, `nope-${src.canary}`),
        },
      },
      op,
    );
    const err = (await runWorkflow({}, bad.guid).catch((e: unknown) => e)) as Error & {
      code: string;
      dir: string;
      runId: string;
    };
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.message).toBe(
      `password authentication failed for user "${src.username}" on ${src.host}:${src.port}`,
    );
    expect(await fs.readdir(err.dir)).toEqual([]);
    const run = await core.stateStore.getRun(err.runId);
    expect(run).toMatchObject({ status: "failed", error: { code: "AUTH_FAILED" } });
    expect(JSON.stringify(run)).not.toContain(src.canary);
  });
});

describe("postgres app: keyset pagination", () => {
  let src: SourceDatabase;
  beforeAll(async () => {
    src = await createSourceDatabase();
  });
  afterAll(async () => {
    await src?.drop();
  });

  it("small batches return exactly the rows of one big batch, in order", async () => {
    const cred = postgresApp.mergeCredential({
      guid: randomUUID(),
      authType: "basic",
      version: 1,
      config: {
        host: src.host,
        port: src.port,
        database: src.database,
        username: src.username,
        extra: { sslmode: "disable" },
      },
      secret: { password: src.password },
    }) as PostgresCredential;
    await withConnection(cred, {}, async (c) => {
      for (const schema of [...src.expected.schemas, HOSTILE_SCHEMA]) {
        const collect = async <T>(gen: AsyncGenerator<T[]>) => {
          const out: T[] = [];
          for await (const rows of gen) out.push(...rows);
          return out;
        };
        for (const size of [1, 2, 3, 7]) {
          expect(await collect(pageTables(c, schema, size))).toEqual(
            await collect(pageTables(c, schema, 10_000)),
          );
          expect(await collect(pageColumns(c, schema, size))).toEqual(
            await collect(pageColumns(c, schema, 10_000)),
          );
        }
      }
    });
  });
});
