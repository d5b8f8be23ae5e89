/**
 * `npm run bench [-- --quick]`: measures guidvault's secret store against its physical floors in
 * one run, prints a table and writes `bench-results.json` to the working directory.
 * See docs/bench.md for what each figure means.
 *
 * Uses its own embedded PostgreSQL in a fresh temp data dir, or, when `DATABASE_URL` is set, a
 * fresh temporary database on that server (dropped at the end). Loopback only; bounded by time.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Recorder } from "./load.js";
import { createPutFloorTable, putFloorOp, putOp } from "./put.js";
import { figures, type Measured, renderTable, verdicts } from "./report.js";
import { checkResolve, floorOp, floorResolver, resolveOp, seedCredentials } from "./resolve.js";
import { bulkSeed, sampleOf, timeRotation } from "./rotate.js";
import { measureRuns } from "./runs.js";
import { type BenchServer, openBenchServer } from "./server.js";

const USAGE = `usage: npm run bench [-- --quick]
  --quick   short phases and 10,000 credentials for the rotation (smoke run)
Env: DATABASE_URL (optional) runs against a temporary database on that server instead of an
embedded PostgreSQL. Writes bench-results.json in the current directory.`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const unknown = args.filter((a) => a !== "--quick");
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown argument ${unknown.join(" ")}\n${USAGE}\n`);
  process.exit(2);
}
const quick = args.includes("--quick");

/** Phase lengths and sizes. */
const plan = quick
  ? { warmupMs: 300, segmentMs: 1000, rounds: 1, seeded: 1000, rotateTotal: 10_000, poolSize: 40 }
  : { warmupMs: 1500, segmentMs: 2000, rounds: 3, seeded: 1000, rotateTotal: 100_000, poolSize: 40 };

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(server: BenchServer): Promise<void> {
  const { core, admin } = server;
  /**
   * Measures an operation and its floor at one concurrency, alternating them `rounds` times
   * (floor first), so that drift on a shared machine hits both alike. The first segment of each
   * gets the full warm-up; later ones a short one to refill the pipeline.
   */
  const pair = async (
    name: string,
    floorOp: () => Promise<void>,
    op: () => Promise<void>,
    c: number,
    extraFloorOp?: () => Promise<void>,
  ) => {
    const f = new Recorder(floorOp, () => server.pgCpuUs());
    const r = new Recorder(op, () => server.pgCpuUs());
    const f2 = extraFloorOp ? new Recorder(extraFloorOp, () => server.pgCpuUs()) : undefined;
    log(
      `${name} at concurrency ${c}: ${plan.rounds} x ${plan.segmentMs / 1000} s each, alternating with its floor`,
    );
    for (let round = 0; round < plan.rounds; round++) {
      for (const rec of f2 ? [f, f2, r] : [f, r]) {
        await admin.query("CHECKPOINT"); // each segment starts with no dirty buffers to write back
        await rec.segment({
          concurrency: c,
          durationMs: plan.segmentMs,
          warmupMs: round === 0 ? plan.warmupMs : 200,
        });
      }
    }
    return { f: f.stats(), r: r.stats(), f2: f2?.stats() };
  };

  log(`putting ${plan.seeded} credentials through the store`);
  const seeded = await seedCredentials(core, plan.seeded);
  const floorPool = server.secretRolePool(plan.poolSize);
  const floor = floorResolver(floorPool, core.masterKey.key, { prepared: false });
  const floorPrepared = floorResolver(floorPool, core.masterKey.key, { prepared: true });
  await checkResolve(core, floor, sampleOf(seeded, 20));
  await createPutFloorTable(admin);
  // Steady-state planner statistics (autovacuum would take up to a minute to gather them).
  await admin.query("ANALYZE");

  const r1 = await pair(
    "resolve",
    floorOp(floor, seeded),
    resolveOp(core, seeded),
    1,
    floorOp(floorPrepared, seeded),
  );
  const r32 = await pair(
    "resolve",
    floorOp(floor, seeded),
    resolveOp(core, seeded),
    32,
    floorOp(floorPrepared, seeded),
  );
  const p1 = await pair("put", putFloorOp(admin), putOp(core), 1);
  const p32 = await pair("put", putFloorOp(admin), putOp(core), 32);

  const { rows } = await core.db.secretPool.query<{ n: string }>("SELECT count(*) AS n FROM secret.version");
  const existing = Number(rows[0]?.n ?? 0);
  const toSeed = Math.max(0, plan.rotateTotal - existing);
  log(
    `bulk-inserting ${toSeed.toLocaleString("en-US")} encrypted credentials (${existing.toLocaleString("en-US")} exist)`,
  );
  const bulk = await bulkSeed(core.db.secretPool, core.masterKey.key, toSeed);
  await admin.query("VACUUM ANALYZE secret.version, secret.credential");
  await admin.query("CHECKPOINT");
  log("rotating the KEK (secretStore.rotateKek)");
  const rotation = await timeRotation(
    core,
    [...sampleOf(bulk, 200), ...sampleOf(seeded, 20)],
    server.pgCpuUs,
  );
  if (rotation.leftUnderOldKek !== 0)
    throw new Error(`bench: ${rotation.leftUnderOldKek} DEKs left under an old KEK`);

  const runs = await measureRuns(
    core.config,
    core.db.adminUrl,
    quick ? { sequential: 50, concurrent: 200 } : { sequential: 200, concurrent: 1000 },
    log,
  );

  const m: Measured = {
    resolve: { c1: r1.r, c32: r32.r },
    floor: { c1: r1.f, c32: r32.f },
    floorPrepared: r1.f2 && r32.f2 ? { c1: r1.f2, c32: r32.f2 } : undefined,
    put: { c1: p1.r, c32: p32.r },
    putFloor: { c1: p1.f, c32: p32.f },
    rotation,
  };
  const f = { ...figures(m), ...runs };
  const settings = await server.settings();
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const header =
    `guidvault bench${quick ? " (--quick)" : ""}: ${server.mode} PostgreSQL ${settings.server_version}, ` +
    `${os.cpus().length} x ${cpu}, node ${process.version}\n` +
    `fsync=${settings.fsync} synchronous_commit=${settings.synchronous_commit} wal_sync_method=${settings.wal_sync_method} ` +
    `commit_delay=${settings.commit_delay}; pools ${plan.poolSize}/role; ` +
    `${plan.rounds} x ${plan.segmentMs / 1000} s per phase, alternating with its floor`;
  process.stdout.write(`\n${renderTable(m, f, header, runs)}\n`);
  const out = {
    ...f,
    targets: Object.fromEntries(verdicts(f).map((v) => [v.key, { target: v.text, pass: v.pass }])),
    meta: {
      date: new Date().toISOString(),
      quick,
      mode: server.mode,
      node: process.version,
      cpus: os.cpus().length,
      cpu,
      postgres: settings,
      plan,
      phases: m,
    },
  };
  const file = path.resolve("bench-results.json");
  await fs.writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${file}`);
}

const server = await openBenchServer({ poolSize: plan.poolSize, databaseUrl: process.env.DATABASE_URL });
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping PostgreSQL`);
  void server.close().finally(() => process.exit(130));
  // A Ctrl-C in a terminal also reaches PostgreSQL (same process group), so queries in flight
  // fail now; main() sees them fail and waits for the same close() below.
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
let code = 0;
try {
  await main(server);
} catch (err) {
  if ((err as { code?: string }).code === "57P01") {
    log("PostgreSQL was shut down (interrupted)");
    code = 130;
  } else if (!stopping) {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    code = 1;
  }
} finally {
  await server.close();
}
process.exit(stopping ? 130 : code);
