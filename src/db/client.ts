/**
 * Checked-out pool clients with an error listener for their whole checkout: a connection that
 * drops while checked out then surfaces as a failed query (mapped to STORE_UNAVAILABLE) instead
 * of an unhandled 'error' event that would crash the process.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { mapStoreError } from "../errors/index.js";

const ignore = () => {};

/**
 * Runs `fn` with a client from `pool`, releasing it afterwards (destroying it if it failed).
 * @param store store name for STORE_UNAVAILABLE messages
 */
export async function withClient<T>(
  pool: pg.Pool,
  store: string,
  fn: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapStoreError(err, store);
  }
  client.on("error", ignore);
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    if ((err as { code?: string }).code === undefined) broken = err as Error;
    throw mapStoreError(err, store);
  } finally {
    client.removeListener("error", ignore);
    client.release(broken);
  }
}

/** Runs `fn` inside BEGIN/COMMIT on a pool client; rolls back on error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  store: string,
  fn: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, store, async (c) => {
    await c.query("BEGIN");
    try {
      const out = await fn(c);
      await c.query("COMMIT");
      return out;
    } catch (err) {
      await c.query("ROLLBACK").catch(() => {});
      throw err;
    }
  });
}

/**
 * A query as a named (prepared) statement, named after a hash of its text: PostgreSQL parses and
 * plans it once per connection instead of on every call (PostgreSQL docs, "PREPARE"; node-postgres
 * "prepared statements"). Only for SQL whose text is fixed or takes few forms.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `gv_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

const statementNames = new Map<string, string>();
