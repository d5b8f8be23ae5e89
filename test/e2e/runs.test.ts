/**
 * Runtime resolution end to end through the HTTP API against a real PostgreSQL source (issue 3):
 * credential -> workflow -> run -> JSONL matching information_schema; the engine's recorded
 * input; the access rule; fail-fast errors; cases 001, 004, 006, 009; a canary sweep over the
 * state schema, the engine's tables, the audit table, API responses and logs.
 */
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { authTypes } from "../../src/app-sdk/auth-types.js";
import { defineApp } from "../../src/app-sdk/define-app.js";
import type { Accessor } from "../../src/secret-store/types.js";
import { newCanary, sweepBuffers } from "../helpers/canary.js";
import { adminQuery } from "../helpers/core.js";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime.js";
import { createSourceDatabase, credentialValues, type SourceDatabase } from "../helpers/source-db.js";

/** Case 009: an app whose step fails with an error that quotes its connection string. */
const leakyApp = defineApp({
  name: "leaky",
  authTypes: { basic: authTypes.basic({ defaultPort: 5432 }) },
  configSchema: z.strictObject({}),
  form: {
    credential: {
      basic: [
        {
          id: "connection",
          title: "Connection",
          fields: [
            { name: "host", label: "Host", type: "text", required: true, secret: false },
            { name: "port", label: "Port", type: "number", required: false, secret: false },
            { name: "username", label: "User", type: "text", required: true, secret: false },
            { name: "password", label: "Password", type: "password", required: true, secret: true },
          ],
        },
      ],
    },
    config: [],
  },
  testAuth: async () => ({ ok: true, message: "ok" }),
  fetchMetadata: async () => [],
  workflow: {
    steps: [
      {
        name: "connect",
        run: async (ctx) => {
          const c = await ctx.getCredentials();
          const err = new Error(
            `auth failed for postgresql://${c.username}:${c.password}@${c.host}:${c.port}/x`,
          );
          (err as Error & { code: string }).code = "28P01";
          throw err;
        },
      },
    ],
  },
});

let t: TestRuntime;
let src: SourceDatabase;
const canaries: string[] = [];

async function createCredential(values: Record<string, unknown>, app = "postgres"): Promise<string> {
  const res = await t.api.post("/api/v1/credentials", { app, authType: "basic", values });
  expect(res.status, res.text).toBe(201);
  return res.body.guid as string;
}

async function createWorkflow(body: Record<string, unknown>): Promise<string> {
  const res = await t.api.post("/api/v1/workflows", body);
  expect(res.status, res.text).toBe(201);
  return res.body.workflow_id as string;
}

async function runToEnd(workflowId: string): Promise<Record<string, unknown>> {
  const started = await t.api.post(`/api/v1/workflows/${workflowId}/runs`);
  expect(started.status, started.text).toBe(202);
  const runId = started.body.run_id as string;
  await t.runtime.orchestrator.waitForRun(runId, 60_000);
  const run = await t.api.get(`/api/v1/runs/${runId}`);
  expect(run.status).toBe(200);
  return run.body;
}

async function readJsonl(dir: string, name: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(path.join(dir, `${name}.jsonl`), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function resolveEvents(guid: string) {
  return (await t.runtime.core.audit.query({ guid, action: "resolve", limit: 1000 })).map((e) => e.outcome);
}

beforeAll(async () => {
  src = await createSourceDatabase();
  canaries.push(src.password);
  t = await startTestRuntime({ extraApps: [leakyApp] });
});
afterAll(async () => {
  await t?.close();
  await src?.drop();
});

describe("a run extracts metadata from a real PostgreSQL (case 001 password)", () => {
  let run: Record<string, unknown>;
  let workflowId: string;
  let guid: string;

  beforeAll(async () => {
    guid = await createCredential(credentialValues(src));
    const test = await t.api.post(`/api/v1/credentials/${guid}/test`);
    expect(test.body).toMatchObject({ ok: true });
    workflowId = await createWorkflow({ app: "postgres", credential_guid: guid, config: {} });
    run = await runToEnd(workflowId);
  });

  it("succeeds with counts matching the source", () => {
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.counts).toMatchObject({
      schemas: src.expected.counts.schemas,
      tables: src.expected.counts.tables,
      views: src.expected.counts.views,
      columns: src.expected.counts.columns,
    });
  });

  it("writes JSONL files whose names and counts equal the source's information_schema", async () => {
    const dir = run.output_dir as string;
    expect(dir).toContain(path.join(t.dataDir, "runs"));
    const schemas = (await readJsonl(dir, "schemas")).map((s) => s.schema).sort();
    expect(schemas).toEqual([...src.expected.schemas].sort());
    const tables = (await readJsonl(dir, "tables"))
      .map((r) => `${r.schema}.${r.table}:${r.table_type}`)
      .sort();
    expect(tables).toEqual(src.expected.tables.map((r) => `${r.schema}.${r.table}:${r.table_type}`).sort());
    const columns = await readJsonl(dir, "columns");
    expect(columns.map((c) => `${c.schema}.${c.table}.${c.column}`).sort()).toEqual(
      src.expected.columns.map((c) => `${c.schema}.${c.table}.${c.column}`).sort(),
    );
    const commented = src.expected.columns.filter((c) => c.comment);
    expect(commented.length).toBeGreaterThan(0);
    for (const c of commented) {
      expect(
        columns.find((x) => x.schema === c.schema && x.table === c.table && x.column === c.column)?.comment,
      ).toBe(c.comment);
    }
  });

  it("the engine recorded exactly {workflow_id} as the run's input", async () => {
    const input = await t.runtime.orchestrator.recordedInput(run.run_id as string);
    expect(input).toEqual([{ workflow_id: workflowId }]);
  });

  it("honours include and exclude filters", async () => {
    const wf = await createWorkflow({
      app: "postgres",
      credential_guid: guid,
      config: { include: [`${src.database}.sales`, `${src.database}.hr`], exclude: [`${src.database}.hr`] },
    });
    const filtered = await runToEnd(wf);
    expect(filtered.status).toBe("succeeded");
    const tables = await readJsonl(filtered.output_dir as string, "tables");
    expect(new Set(tables.map((r) => r.schema))).toEqual(new Set(["sales"]));
    expect(tables.length).toBe(src.expected.tables.filter((r) => r.schema === "sales").length);
  });

  it("audits metadata browsing apart from tests of authentication", async () => {
    const res = await t.api.post(`/api/v1/credentials/${guid}/metadata`, { type: "schemas" });
    expect(res.status, res.text).toBe(200);
    const events = await t.runtime.core.audit.query({ guid, action: "resolve", limit: 1000 });
    expect(events.some((e) => e.accessor.startsWith("metadata:token:"))).toBe(true);
    expect(events.some((e) => e.accessor.startsWith("test-auth:token:"))).toBe(true);
  });

  describe("access rule", () => {
    const denied = async (accessor: Accessor) => {
      await expect(t.runtime.core.secretStore.getCredentials(guid, accessor)).rejects.toMatchObject({
        code: "ACCESS_DENIED",
      });
    };
    it("refuses a caller with no run", async () => {
      await denied({
        kind: "run",
        tenant: "default",
        workflowId,
        runId: "00000000-0000-4000-8000-000000000000",
        step: "x",
      });
    });
    it("refuses a finished run", async () => {
      await denied({ kind: "run", tenant: "default", workflowId, runId: run.run_id as string, step: "x" });
    });
    it("refuses a running run of another workflow, and audits every denial", async () => {
      const otherGuid = await createCredential(credentialValues(src));
      const otherWf = await createWorkflow({ app: "postgres", credential_guid: otherGuid, config: {} });
      const runId = "11111111-2222-4333-8444-555555555555";
      await t.runtime.core.stateStore.createRun({
        id: runId,
        workflowId: otherWf,
        tenant: "default",
        trigger: "test",
      });
      await t.runtime.core.stateStore.markRunning(runId);
      await denied({ kind: "run", tenant: "default", workflowId: otherWf, runId, step: "x" });
      const denials = await t.runtime.core.audit.query({ guid, action: "deny", limit: 100 });
      expect(denials.length).toBeGreaterThanOrEqual(3);
      expect(denials.every((e) => e.outcome === "ACCESS_DENIED" && e.accessor.startsWith("run:"))).toBe(true);
    });
  });
});

describe("runs that must fail fast, with a clear code and no retries", () => {
  it("an unknown (destroyed) GUID fails with CREDENTIAL_NOT_FOUND after one attempt", async () => {
    const guid = await createCredential(credentialValues(src));
    const wf = await createWorkflow({ app: "postgres", credential_guid: guid, config: {} });
    expect((await t.api.request("DELETE", `/api/v1/credentials/${guid}`)).status).toBe(204);
    const run = await runToEnd(wf);
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    expect((await resolveEvents(guid)).filter((o) => o === "allowed")).toHaveLength(1);
  });

  it("a wrong password fails with AUTH_FAILED naming user and host, after one attempt", async () => {
    const wrong = `wrong-${newCanary("wrongpw")}`;
    canaries.push(wrong);
    const guid = await createCredential(credentialValues(src, wrong));
    const wf = await createWorkflow({ app: "postgres", credential_guid: guid, config: {} });
    const run = await runToEnd(wf);
    expect(run.status).toBe("failed");
    const error = run.error as { code: string; detail: string };
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.detail).toContain(src.username);
    expect(error.detail).toContain(src.host);
    expect(error.detail).not.toContain(wrong);
    expect((await resolveEvents(guid)).filter((o) => o === "allowed")).toHaveLength(1);
  });

  it("case 004: a credential whose config half is missing fails with CREDENTIAL_NOT_FOUND naming the half", async () => {
    const guid = await createCredential(credentialValues(src));
    const wf = await createWorkflow({ app: "postgres", credential_guid: guid, config: {} });
    await adminQuery(t.databaseUrl, "DELETE FROM state.credential_config WHERE guid = $1", [guid]);
    const run = await runToEnd(wf);
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      code: "CREDENTIAL_NOT_FOUND",
      detail: expect.stringMatching(/config/i),
    });
  });
});

describe("case 006: credentials sent inline when a workflow is created", () => {
  it("are stored first and replaced by a GUID; the engine sees only {workflow_id}", async () => {
    const res = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credentials: { authType: "basic", values: credentialValues(src) },
      config: { include: [`${src.database}.inventory`] },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.credential_guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.text).not.toContain(src.canary);
    const wf = await t.api.get(`/api/v1/workflows/${res.body.workflow_id}`);
    expect(wf.text).not.toContain(src.canary);
    const run = await runToEnd(res.body.workflow_id as string);
    expect(run.status).toBe("succeeded");
    expect(await t.runtime.orchestrator.recordedInput(run.run_id as string)).toEqual([
      { workflow_id: res.body.workflow_id },
    ]);
  });
});

describe("case 009: error text stored by the engine", () => {
  it("a failing step's message holding the password is masked in the run and the engine's tables", async () => {
    const pw = `Pa55-${newCanary("engine")}`;
    canaries.push(pw);
    const guid = await createCredential(
      { host: "db.internal", port: 5432, username: "etl", password: pw },
      "leaky",
    );
    const wf = await createWorkflow({ app: "leaky", credential_guid: guid, config: {} });
    const run = await runToEnd(wf);
    expect(run.status).toBe("failed");
    const error = run.error as { code: string; detail: string };
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.detail).toContain("db.internal");
    expect(error.detail).toContain("[MASKED]");
  });
});

describe("the engine's database role", () => {
  it("DBOS connects as its own role, which is refused on the secret, state and audit schemas", async () => {
    const role = t.runtime.core.db.roles.engine;
    const users = await adminQuery<{ usename: string }>(
      t.databaseUrl,
      "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()",
    );
    expect(users.map((u) => u.usename)).toContain(role);
    const c = new pg.Client(t.runtime.core.db.engineUrl);
    await c.connect();
    try {
      for (const table of ["secret.version", "state.run", "audit.event"]) {
        await expect(c.query(`SELECT 1 FROM ${table} LIMIT 1`)).rejects.toMatchObject({ code: "42501" });
      }
      const { rows } = await c.query("SELECT count(*)::int AS n FROM dbos.workflow_status");
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});

describe("canary sweep over everything the runs wrote", () => {
  it("finds no canary in the state schema, the engine's tables, the audit table, API responses or logs", async () => {
    const dumps = await adminQuery<{ t: string; j: string }>(
      t.databaseUrl,
      `SELECT format('%I.%I', n.nspname, c.relname) AS t, (xpath('/row', query_to_xml(format('SELECT * FROM %I.%I', n.nspname, c.relname), false, false, '')))::text AS j
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname IN ('state', 'dbos', 'audit', 'public')`,
    );
    expect(dumps.map((d) => d.t)).toEqual(
      expect.arrayContaining(["state.run", "dbos.operation_outputs", "audit.event"]),
    );
    const log = await fs.readFile(t.logFile);
    expect(log.length).toBeGreaterThan(1000);
    const places = [
      ...dumps.map((d) => ({ where: d.t, data: d.j ?? "" })),
      { where: "log file", data: log },
      ...t.api.exchanges.map((x, i) => ({
        where: `response ${i} ${x.method} ${x.url}`,
        data: x.responseBody,
      })),
    ];
    expect(sweepBuffers(places, canaries)).toEqual([]);
  });
});
