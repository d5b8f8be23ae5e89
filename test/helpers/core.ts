/**
 * Test helpers: a fresh guidvault database on the shared test PostgreSQL, composed exactly as
 * production composes it (src/compose.ts).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { type Core, type CoreOptions, createCore } from "../../src/compose.js";
import { loadConfig } from "../../src/config/env.js";

/** A new empty database on the test server; returns its superuser URL. */
export async function createTestDatabase(prefix = "t"): Promise<string> {
  const base = inject("pgUrl");
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const c = new pg.Client(base);
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Options of {@link createTestCore}. */
export interface TestCoreOptions extends CoreOptions {
  /** Reuse this database URL (default: a new database). */
  databaseUrl?: string;
  /** Master key (default: random). */
  masterKey?: Buffer;
  /** Data dir (default: new temp dir). */
  dataDir?: string;
  env?: Record<string, string>;
}

/** A composed core on its own database plus what the test needs to reopen it. */
export interface TestCore extends Core {
  databaseUrl: string;
  masterKeyBytes: Buffer;
  dataDir: string;
}

/** Builds a core on a fresh database. */
export async function createTestCore(opts: TestCoreOptions = {}): Promise<TestCore> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase());
  const masterKeyBytes = opts.masterKey ?? randomBytes(32);
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-test-")));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    GUIDVAULT_MASTER_KEY: masterKeyBytes.toString("base64"),
    GUIDVAULT_DATA_DIR: dataDir,
    GUIDVAULT_LOG_LEVEL: "silent",
    ...opts.env,
  });
  const core = await createCore(config, opts);
  return Object.assign(core, { databaseUrl, masterKeyBytes, dataDir });
}

/** Runs SQL as the superuser on `databaseUrl` (for tampering in tests). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client(databaseUrl);
  await c.connect();
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
