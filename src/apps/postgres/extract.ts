/**
 * The `postgres` app's workflow: four steps, each writing one JSON Lines file in the run's
 * output folder and adding to the run's counters as it goes.
 *
 * | step | reads | writes | counters |
 * |---|---|---|---|
 * | `extract-databases` | the server | `databases.jsonl` | `databases` |
 * | `extract-schemas` | `databases.jsonl` | `schemas.jsonl` | `schemas` |
 * | `extract-tables` | `schemas.jsonl` | `tables.jsonl` (views with `table_type` `VIEW`) | `tables`, `views` |
 * | `extract-columns` | `schemas.jsonl` | `columns.jsonl` | `columns` |
 *
 * Each step resolves the credential itself and drops it when it ends; steps share only files.
 * A retried step rewrites its file from scratch (see openJsonl).
 */
import type pg from "pg";
import type { ActivityContext, WorkflowStep } from "../../app-sdk/context.js";
import { type JsonlWriter, openJsonl, readJsonl } from "../../app-sdk/jsonl.js";
import type { PostgresCredential } from "./auth.js";
import { type PostgresConfig, parsePostgresConfig } from "./config.js";
import { withConnection } from "./connect.js";
import { compileFilters } from "./filters.js";
import {
  BATCH_SIZE,
  COLUMNS_SQL,
  CURRENT_DATABASE_SQL,
  DATABASES_SQL,
  SCHEMAS_SQL,
  TABLES_SQL,
} from "./queries.js";

/** A line of databases.jsonl. */
export interface DatabaseRecord {
  database: string;
  owner: string;
  encoding: string;
  comment: string | null;
}
/** A line of schemas.jsonl. */
export interface SchemaRecord {
  database: string;
  schema: string;
  owner: string;
  comment: string | null;
}
/** A line of tables.jsonl. `table_type`: `BASE TABLE`, `VIEW`, `FOREIGN`, `LOCAL TEMPORARY`. */
export interface TableRecord {
  database: string;
  schema: string;
  table: string;
  table_type: string;
  comment: string | null;
}
/** A line of columns.jsonl. */
export interface ColumnRecord {
  database: string;
  schema: string;
  table: string;
  column: string;
  ordinal_position: number;
  data_type: string;
  udt_name: string;
  is_nullable: boolean;
  column_default: string | null;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  comment: string | null;
}

type Ctx = ActivityContext<PostgresConfig, PostgresCredential>;

function checkAborted(ctx: Ctx): void {
  if (ctx.signal.aborted) throw new Error(`step ${ctx.step ?? ""} cancelled`);
}

/** Opens `<name>.jsonl`, runs `fn`, and renames the file into place only if `fn` succeeded. */
async function writeFile(ctx: Ctx, name: string, fn: (out: JsonlWriter) => Promise<void>): Promise<void> {
  const out = await openJsonl(ctx.outputDir, name);
  try {
    await fn(out);
    await out.close();
  } finally {
    await out.abort();
  }
}

/** Schemas selected by the previous step, grouped by database (in file order). */
async function schemasByDatabase(ctx: Ctx): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const s of readJsonl<SchemaRecord>(ctx.outputDir, "schemas")) {
    const list = out.get(s.database) ?? [];
    list.push(s.schema);
    out.set(s.database, list);
  }
  return out;
}

async function extractDatabases(ctx: Ctx): Promise<void> {
  const cfg = parsePostgresConfig(ctx.config);
  const filters = compileFilters(cfg.include, cfg.exclude);
  const cred = await ctx.getCredentials();
  const rows = await withConnection(cred, { signal: ctx.signal }, async (c) => {
    const res = await c.query<{ name: string; owner: string; encoding: string; comment: string | null }>(
      cfg.all_databases ? DATABASES_SQL : CURRENT_DATABASE_SQL,
    );
    return res.rows;
  });
  await writeFile(ctx, "databases", async (out) => {
    for (const r of rows.filter((d) => filters.databaseSelected(d.name))) {
      await out.write({
        database: r.name,
        owner: r.owner,
        encoding: r.encoding,
        comment: r.comment,
      } satisfies DatabaseRecord);
    }
    // Every counter appears from the first step on, so a run shows all five while it runs.
    await ctx.addCounts({ databases: out.count, schemas: 0, tables: 0, views: 0, columns: 0 });
  });
}

async function extractSchemas(ctx: Ctx): Promise<void> {
  const cfg = parsePostgresConfig(ctx.config);
  const filters = compileFilters(cfg.include, cfg.exclude);
  const cred = await ctx.getCredentials();
  await writeFile(ctx, "schemas", async (out) => {
    for await (const db of readJsonl<DatabaseRecord>(ctx.outputDir, "databases")) {
      checkAborted(ctx);
      const rows = await withConnection(cred, { database: db.database, signal: ctx.signal }, async (c) => {
        return (await c.query<{ name: string; owner: string; comment: string | null }>(SCHEMAS_SQL)).rows;
      });
      let n = 0;
      for (const s of rows) {
        if (!filters.schemaSelected(db.database, s.name)) continue;
        await out.write({
          database: db.database,
          schema: s.name,
          owner: s.owner,
          comment: s.comment,
        } satisfies SchemaRecord);
        n++;
      }
      await ctx.addCounts({ schemas: n });
      ctx.logger.info({ database: db.database, schemas: n }, "schemas extracted");
    }
  });
}

/** A table row as queried. */
export interface TableRow {
  name: string;
  table_type: string;
  comment: string | null;
}

/** A column row as queried. */
export type ColumnRow = Omit<ColumnRecord, "database" | "schema" | "table" | "column"> & {
  table_name: string;
  name: string;
};

/** Tables and views of one schema, in batches of `batchSize` (keyset pagination). */
export async function* pageTables(
  c: pg.ClientBase,
  schema: string,
  batchSize = BATCH_SIZE,
): AsyncGenerator<TableRow[]> {
  for (let after = ""; ; ) {
    const { rows } = await c.query<TableRow>(TABLES_SQL, [schema, after, batchSize]);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = (rows.at(-1) as TableRow).name;
  }
}

/** Columns of one schema, in batches of `batchSize` (keyset pagination on table, ordinal). */
export async function* pageColumns(
  c: pg.ClientBase,
  schema: string,
  batchSize = BATCH_SIZE,
): AsyncGenerator<ColumnRow[]> {
  for (let afterTable = "", afterOrdinal = 0; ; ) {
    const { rows } = await c.query<ColumnRow>(COLUMNS_SQL, [schema, afterTable, afterOrdinal, batchSize]);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    const last = rows.at(-1) as ColumnRow;
    afterTable = last.table_name;
    afterOrdinal = last.ordinal_position;
  }
}

async function extractTables(ctx: Ctx): Promise<void> {
  const cred = await ctx.getCredentials();
  const byDb = await schemasByDatabase(ctx);
  await writeFile(ctx, "tables", async (out) => {
    for (const [database, schemas] of byDb) {
      await withConnection(cred, { database, signal: ctx.signal }, async (c) => {
        for (const schema of schemas) {
          for await (const rows of pageTables(c, schema)) {
            checkAborted(ctx);
            let views = 0;
            for (const t of rows) {
              if (t.table_type === "VIEW") views++;
              await out.write({
                database,
                schema,
                table: t.name,
                table_type: t.table_type,
                comment: t.comment,
              } satisfies TableRecord);
            }
            await ctx.addCounts({ tables: rows.length - views, views });
          }
        }
      });
    }
  });
}

async function extractColumns(ctx: Ctx): Promise<void> {
  const cred = await ctx.getCredentials();
  const byDb = await schemasByDatabase(ctx);
  await writeFile(ctx, "columns", async (out) => {
    for (const [database, schemas] of byDb) {
      await withConnection(cred, { database, signal: ctx.signal }, async (c) => {
        for (const schema of schemas) {
          for await (const rows of pageColumns(c, schema)) {
            checkAborted(ctx);
            for (const { table_name, name, ...rest } of rows) {
              await out.write({
                database,
                schema,
                table: table_name,
                column: name,
                ...rest,
              } satisfies ColumnRecord);
            }
            await ctx.addCounts({ columns: rows.length });
          }
        }
      });
    }
  });
}

/** The steps of the `postgres` app's workflow, in order. */
export const extractSteps: ReadonlyArray<WorkflowStep<PostgresConfig, PostgresCredential>> = [
  { name: "extract-databases", run: extractDatabases },
  { name: "extract-schemas", run: extractSchemas },
  { name: "extract-tables", run: extractTables },
  { name: "extract-columns", run: extractColumns },
];
