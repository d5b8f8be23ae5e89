/**
 * Experiment: timeline of one getCredentials at concurrency 1. Wraps the secret pool's query and
 * the audit log's append (monkey-patched in this process only) to time the SELECT, the audit
 * commit and what follows them. Throwaway.
 */
import { performance } from "node:perf_hooks";
import { BENCH_ACCESSOR, type Seeded, seedCredentials } from "../resolve.js";
import { openBenchServer } from "../server.js";

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core } = server;
  const seeded = await seedCredentials(core, 1000);
  await server.admin.query("ANALYZE");
  const pool = core.db.secretPool;
  const origQuery = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
  const origAppend = core.audit.append.bind(core.audit);
  let t = { start: 0, selectStart: 0, selectEnd: 0, auditStart: 0, auditEnd: 0 };
  (pool as unknown as { query: unknown }).query = async (...a: unknown[]) => {
    t.selectStart = performance.now();
    const r = await origQuery(...a);
    t.selectEnd = performance.now();
    return r;
  };
  (core.audit as { append: unknown }).append = async (e: Parameters<typeof origAppend>[0]) => {
    t.auditStart = performance.now();
    await origAppend(e);
    t.auditEnd = performance.now();
  };
  const rows: number[][] = [];
  const deadline = performance.now() + 4000;
  let i = 0;
  while (performance.now() < deadline) {
    const s = seeded[Math.floor(Math.random() * seeded.length)] as Seeded;
    t = { start: performance.now(), selectStart: 0, selectEnd: 0, auditStart: 0, auditEnd: 0 };
    const r = await core.secretStore.getCredentials(s.guid, BENCH_ACCESSOR);
    const end = performance.now();
    r.release();
    if (i++ > 300)
      rows.push([
        t.selectStart - t.start,
        t.selectEnd - t.start,
        t.auditStart - t.start,
        t.auditEnd - t.start,
        end - t.start,
      ]);
  }
  const med = (k: number) => {
    const v = rows.map((r) => r[k] as number).sort((a, b) => a - b);
    return (v[Math.floor(v.length / 2)] as number).toFixed(3);
  };
  console.log(
    `n=${rows.length} medians (ms from call): select start ${med(0)} end ${med(1)} | audit start ${med(2)} end ${med(3)} | return ${med(4)}`,
  );
  const afterBoth = rows
    .map((r) => (r[4] as number) - Math.max(r[1] as number, r[3] as number))
    .sort((a, b) => a - b);
  console.log(
    `median time after both finished: ${(afterBoth[Math.floor(afterBoth.length / 2)] as number).toFixed(3)} ms`,
  );
  const auditLonger = rows.filter((r) => (r[3] as number) > (r[1] as number)).length;
  console.log(`audit finished last in ${((100 * auditLonger) / rows.length).toFixed(0)}% of calls`);
} finally {
  await server.close();
}
