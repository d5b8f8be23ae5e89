/**
 * `testAuth` of the `postgres` app: connect as the credential's user and run `SELECT 1`.
 * The message names host, port, user and database, never the password, and is masked.
 */
import type { AppCallOptions, TestAuthResult } from "../../app-sdk/define-app.js";
import { GuidvaultError } from "../../errors/index.js";
import { masker } from "../../redact/index.js";
import type { PostgresCredential } from "./auth.js";
import { sourceError, withConnection } from "./connect.js";

/** Tries the credential; failures are `{ ok: false }` with a clear message. */
export async function testPostgresAuth(
  cred: PostgresCredential,
  opts: AppCallOptions,
): Promise<TestAuthResult> {
  const where = `${cred.host}:${cred.port}`;
  try {
    const row = await withConnection(cred, { signal: opts.signal }, async (c) => {
      const res = await c.query<{ ok: number; version: string; tls: boolean | null }>(
        "SELECT 1 AS ok, current_setting('server_version') AS version, (SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls",
      );
      return res.rows[0];
    });
    const tls = row?.tls ? "TLS" : "no TLS";
    return {
      ok: row?.ok === 1,
      message: masker.mask(
        `connected to ${where} as user ${JSON.stringify(cred.username)}, database ${JSON.stringify(cred.database)} (PostgreSQL ${row?.version ?? "?"}, ${tls})`,
      ),
    };
  } catch (err) {
    const e = err instanceof GuidvaultError ? err : sourceError(err, cred, cred.database);
    return { ok: false, message: masker.mask(e.message) };
  }
}
