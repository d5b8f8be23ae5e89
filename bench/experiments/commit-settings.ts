/**
 * Experiment: the durable-commit floor and the store under different server settings
 * (wal_sync_method, commit_delay), applied with ALTER SYSTEM + pg_reload_conf() on the bench's
 * throwaway cluster. Settings alternate over rounds. Throwaway.
 */
import { Recorder } from "../load.js";
import { createPutFloorTable, putFloorOp, putOp } from "../put.js";
import { resolveOp, seedCredentials } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  await createPutFloorTable(admin);
  const seeded = await seedCredentials(core, 1000);
  await admin.query("ANALYZE");
  const settings: [string, string[]][] = [
    ["fdatasync (default)", ["wal_sync_method = fdatasync", "commit_delay = 0"]],
    ["open_datasync", ["wal_sync_method = open_datasync", "commit_delay = 0"]],
    ["fdatasync, commit_delay 100us", ["wal_sync_method = fdatasync", "commit_delay = 100"]],
    ["fdatasync, commit_delay 500us", ["wal_sync_method = fdatasync", "commit_delay = 500"]],
  ];
  const apply = async (s: string[]) => {
    for (const x of s) await admin.query(`ALTER SYSTEM SET ${x}`);
    await admin.query("SELECT pg_reload_conf()");
    await new Promise((r) => setTimeout(r, 200));
  };
  const ops: [string, () => Promise<void>, number][] = [
    ["bare commit", putFloorOp(admin), 1],
    ["bare commit", putFloorOp(admin), 32],
    ["getCredentials", resolveOp(core, seeded), 1],
    ["getCredentials", resolveOp(core, seeded), 32],
    ["store.put", putOp(core), 32],
  ];
  const recs = settings.map(([name]) =>
    ops.map(([op, fn, c]) => ({ label: `${name} | ${op} c${c}`, c, rec: new Recorder(fn, server.pgCpuUs) })),
  );
  const rounds = Number(process.env.ROUNDS ?? 2);
  for (let r = 0; r < rounds; r++)
    for (const [i, [, s]] of settings.entries()) {
      await apply(s);
      for (const v of recs[i] ?? [])
        await v.rec.segment({ concurrency: v.c, durationMs: 1500, warmupMs: 200 });
    }
  for (let j = 0; j < ops.length; j++)
    for (const row of recs) {
      const v = row[j];
      if (v) line(v.label, v.rec.stats());
    }
  for (const row of recs) console.log(row.map((v) => `${v.rec.stats().foreignCpuPct.toFixed(0)}%`).join(" "));
} finally {
  await server.close();
}
