/**
 * Opens guidvault's PostgreSQL: the embedded server or `DATABASE_URL`, migrations, master key
 * check, role passwords, and one connection pool per role.
 */
import pg from "pg";
import type { Config } from "../config/env.js";
import { GuidvaultError, mapStoreError } from "../errors/index.js";
import { checkMasterKey, rolePassword as rolePasswordFor } from "../secret-store/master-key.js";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";
import { createRoles, type RoleNames, restrictDatabase, roleNames, setRolePasswords } from "./roles.js";

/** Name of the database guidvault creates in the embedded server. */
export const EMBEDDED_DATABASE = "guidvault";

/** Connections of one guidvault process. */
export interface Databases {
  /** Pool logged in as the secret role (secret server). */
  readonly secretPool: pg.Pool;
  /** Pool logged in as the state role (main server). */
  readonly statePool: pg.Pool;
  /** Pool logged in as the audit role (main server). */
  readonly auditPool: pg.Pool;
  /** Administrative URL of the main server (migrations, the engine's schema migrations). */
  readonly adminUrl: string;
  /** URL of the main server logged in as the engine role (DBOS at run time). */
  readonly engineUrl: string;
  /** Administrative URL of the secret server (same as adminUrl unless separated). */
  readonly secretsAdminUrl: string;
  /** Role names in use. */
  readonly roles: RoleNames;
  /** The embedded server, when guidvault runs one. */
  readonly embedded: EmbeddedPostgresHandle | undefined;
  /** Closes pools and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/** Options of {@link openDatabases}. */
export interface OpenOptions {
  /** Pool size per role (default 40). */
  poolSize?: number;
  /** Receives the embedded server's log lines. */
  onPostgresLog?: (line: string) => void;
  /** Master key bytes (already loaded). */
  masterKey: Buffer;
}

/**
 * Connection settings for `user` on the server and database of `url` (whose own user and
 * password are ignored). `sslmode=require` in the URL turns TLS on.
 */
export function withCredentials(url: string, user: string, password: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, "")),
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
    user,
    password,
    ssl: u.searchParams.get("sslmode") === "require" ? { rejectUnauthorized: false } : undefined,
  };
}

/** `url` with another user and password. */
function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(db)}`;
  return u.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    const mapped = mapStoreError(err, "PostgreSQL");
    if (mapped instanceof GuidvaultError) throw mapped;
    const e = err as { message?: string; code?: string };
    throw new GuidvaultError(
      "STORE_UNAVAILABLE",
      `cannot connect to PostgreSQL: ${e.code ?? ""} ${e.message ?? ""}`.trim(),
      {
        cause: err,
      },
    );
  }
  return client;
}

async function ensureDatabase(serverUrl: string, db: string): Promise<void> {
  const client = await connect(withDatabase(serverUrl, "postgres"));
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [db]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(db)}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04" && err.code !== "23505") throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Opens (and, first time, creates) guidvault's databases.
 * @throws GuidvaultError `MASTER_KEY_MISMATCH`, `STORE_UNAVAILABLE`
 */
export async function openDatabases(config: Config, opts: OpenOptions): Promise<Databases> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let adminUrl: string;
  if (config.databaseUrl) {
    adminUrl = config.databaseUrl;
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, onLog: opts.onPostgresLog });
    await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    adminUrl = withDatabase(embedded.url, EMBEDDED_DATABASE);
  }
  const secretsAdminUrl = config.secretsDatabaseUrl ?? adminUrl;
  const roles = roleNames(databaseOf(adminUrl));
  const pools: pg.Pool[] = [];
  try {
    // Order matters: the key check runs before role passwords change, so a process started
    // with a wrong master key cannot lock out the processes running with the right one.
    const main = await connect(adminUrl);
    try {
      const separate = secretsAdminUrl !== adminUrl;
      await createRoles(
        main,
        separate
          ? [roles.state, roles.audit, roles.engine]
          : [roles.secret, roles.state, roles.audit, roles.engine],
      );
      if (separate) {
        const sec = await connect(secretsAdminUrl);
        try {
          await createRoles(sec, [roles.secret]);
          await migrate(sec, "secrets", roles);
          await checkMasterKey(sec, opts.masterKey);
          await setRolePasswords(sec, [roles.secret], opts.masterKey);
          await restrictDatabase(sec, [roles.secret]);
        } finally {
          await sec.end();
        }
        await migrate(main, "main", roles);
        await setRolePasswords(main, [roles.state, roles.audit, roles.engine], opts.masterKey);
        await restrictDatabase(main, [roles.state, roles.audit, roles.engine]);
      } else {
        await migrate(main, "secrets", roles);
        await migrate(main, "main", roles);
        await checkMasterKey(main, opts.masterKey);
        await setRolePasswords(main, [roles.secret, roles.state, roles.audit, roles.engine], opts.masterKey);
        await restrictDatabase(main, [roles.secret, roles.state, roles.audit, roles.engine]);
      }
    } finally {
      await main.end();
    }
    const size = opts.poolSize ?? 40;
    const pool = (url: string, role: string) => {
      const p = new pg.Pool({
        ...withCredentials(url, role, rolePasswordFor(opts.masterKey, role)),
        max: size,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: 10_000,
        application_name: `guidvault:${role}`,
      });
      p.on("error", () => {}); // idle client errors surface on the next query as STORE_UNAVAILABLE
      pools.push(p);
      return p;
    };
    const secretPool = pool(secretsAdminUrl, roles.secret);
    const statePool = pool(adminUrl, roles.state);
    const auditPool = pool(adminUrl, roles.audit);
    let closed = false;
    return {
      secretPool,
      statePool,
      auditPool,
      adminUrl,
      engineUrl: urlAs(adminUrl, roles.engine, rolePasswordFor(opts.masterKey, roles.engine)),
      secretsAdminUrl,
      roles,
      embedded,
      close: async () => {
        if (closed) return;
        closed = true;
        await Promise.all(pools.map((p) => p.end().catch(() => {})));
        await embedded?.stop();
      },
    };
  } catch (err) {
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    await embedded?.stop();
    throw err;
  }
}
