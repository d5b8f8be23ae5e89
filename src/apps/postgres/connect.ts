/**
 * Connections of the `postgres` app: node-postgres with a config OBJECT (case 001: the password
 * reaches the driver as the exact stored string; no URI is ever built), a connect timeout, and
 * errors turned into clear, masked messages that name host, port and user, never the password.
 */
import pg from "pg";
import { DNS_ERRNO, GuidvaultError, NETWORK_ERRNO } from "../../errors/index.js";
import { masker } from "../../redact/index.js";
import type { PostgresCredential } from "./auth.js";

/** Statement timeout of app queries (ms). */
export const STATEMENT_TIMEOUT_MS = 300_000;

type Ssl = pg.ClientConfig["ssl"];

/** TLS settings to try, in order, for the credential's sslmode. */
function sslAttempts(cred: PostgresCredential): Ssl[] {
  switch (cred.extra.sslmode) {
    case "disable":
      return [false];
    case "require":
      return [{ rejectUnauthorized: false }];
    case "verify-full":
      return [
        {
          rejectUnauthorized: true,
          servername: cred.host,
          ...(cred.extra.sslrootcert ? { ca: cred.extra.sslrootcert } : {}),
        },
      ];
    default:
      return [{ rejectUnauthorized: false }, false]; // prefer: TLS if the server offers it
  }
}

/** The driver config for one database. */
export function clientConfig(cred: PostgresCredential, database: string, ssl: Ssl): pg.ClientConfig {
  return {
    host: cred.host,
    port: cred.port,
    user: cred.username,
    password: cred.password,
    database,
    ssl,
    connectionTimeoutMillis: cred.extra.connect_timeout * 1000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 10_000,
    application_name: "guidvault:postgres",
    keepAlive: true,
  };
}

const NO_TLS = "The server does not support SSL connections";

/**
 * A masked {@link GuidvaultError} for a failed connection or query:
 * `AUTH_FAILED` (wrong password, rejected by pg_hba, no CONNECT privilege, TLS verification),
 * `CREDENTIAL_INVALID` (database missing, TLS required but not offered) - both terminal - or
 * `EXTERNAL_UNAVAILABLE` (network, timeout, server starting or full) - retryable.
 */
export function sourceError(
  err: unknown,
  cred: PostgresCredential,
  database: string,
  elapsedMs = 0,
): GuidvaultError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const text = masker.mask(typeof e.message === "string" ? e.message : String(err)).slice(0, 300);
  const where = `${cred.host}:${cred.port}`;
  const user = JSON.stringify(cred.username);
  const db = JSON.stringify(database);
  const out = (c: "AUTH_FAILED" | "CREDENTIAL_INVALID" | "EXTERNAL_UNAVAILABLE", message: string) =>
    new GuidvaultError(c, masker.mask(message), {
      details: { host: cred.host, port: cred.port, sqlstate: code || undefined },
    });
  if (code === "28P01")
    return out("AUTH_FAILED", `password authentication failed for user ${user} on ${where}`);
  if (/^28/.test(code))
    return out(
      "AUTH_FAILED",
      `authentication rejected for user ${user} on ${where} (database ${db}): ${text}`,
    );
  if (code === "3D000") return out("CREDENTIAL_INVALID", `database ${db} does not exist on ${where}`);
  if (code === "42501")
    return out("AUTH_FAILED", `user ${user} may not connect to database ${db} on ${where}: ${text}`);
  if (DNS_ERRNO.has(code))
    return out("EXTERNAL_UNAVAILABLE", `could not resolve host ${JSON.stringify(cred.host)}: ${code}`);
  if (NETWORK_ERRNO.has(code)) return out("EXTERNAL_UNAVAILABLE", `could not connect to ${where}: ${code}`);
  if (text === NO_TLS)
    return out("CREDENTIAL_INVALID", `${where} does not offer TLS, but sslmode is ${cred.extra.sslmode}`);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code))
    return out("AUTH_FAILED", `TLS verification of ${where} failed: ${code}`);
  const timeoutMs = cred.extra.connect_timeout * 1000;
  if (/timeout/i.test(text) || (elapsedMs >= timeoutMs - 100 && /Connection terminated/.test(text))) {
    return out(
      "EXTERNAL_UNAVAILABLE",
      `could not connect to ${where}: timed out after ${cred.extra.connect_timeout}s`,
    );
  }
  if (/^(08|53|57P0)/.test(code) || /Connection terminated/.test(text))
    return out("EXTERNAL_UNAVAILABLE", `${where}: ${code || "connection lost"}: ${text}`);
  return out(
    "EXTERNAL_UNAVAILABLE",
    `could not connect to ${where} as user ${user}: ${code ? `${code} ` : ""}${text}`,
  );
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Database to open (default: the credential's). */
  database?: string;
  /** Closes the connection when aborted. */
  signal?: AbortSignal;
}

/**
 * Opens a connection as the credential's user.
 * @throws GuidvaultError see {@link sourceError}
 */
export async function connect(cred: PostgresCredential, opts: ConnectOptions = {}): Promise<pg.Client> {
  const database = opts.database ?? cred.database;
  const attempts = sslAttempts(cred);
  for (let i = 0; ; i++) {
    if (opts.signal?.aborted)
      throw new GuidvaultError("EXTERNAL_UNAVAILABLE", `connection to ${cred.host}:${cred.port} cancelled`);
    const client = new pg.Client(clientConfig(cred, database, attempts[i]));
    client.on("error", () => {}); // surfaces on the next query
    const started = Date.now();
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      const noTls = (err as { message?: unknown }).message === NO_TLS;
      if (noTls && i + 1 < attempts.length) continue;
      throw sourceError(err, cred, database, Date.now() - started);
    }
    if (opts.signal) {
      const onAbort = () => void client.end().catch(() => {});
      opts.signal.addEventListener("abort", onAbort, { once: true });
      client.once("end", () => opts.signal?.removeEventListener("abort", onAbort));
    }
    return client;
  }
}

/**
 * Runs `fn` with a connection and closes it; query errors become masked {@link sourceError}s.
 */
export async function withConnection<T>(
  cred: PostgresCredential,
  opts: ConnectOptions,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect(cred, opts);
  const database = opts.database ?? cred.database;
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof GuidvaultError) throw err;
    const code = (err as { code?: unknown }).code;
    // A query error (not a connection failure) is a bug or a permission issue: terminal, masked.
    if (typeof code === "string" && /^(42|22|2B|0A)/.test(code)) {
      throw new GuidvaultError(
        "INTERNAL",
        masker.mask(
          `query on ${cred.host}:${cred.port} database ${JSON.stringify(database)} failed: ${code} ${(err as Error).message}`,
        ),
      );
    }
    throw sourceError(err, cred, database);
  } finally {
    await client.end().catch(() => {});
  }
}
