/**
 * Experiment: CPU profile of getCredentials at concurrency C (env C, default 1) for 4 s.
 * Run: node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/experiments/profile-resolve.ts
 */
import { measure } from "../load.js";
import { resolveOp, seedCredentials } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const seeded = await seedCredentials(server.core, 1000);
  await server.admin.query("ANALYZE");
  const c = Number(process.env.C ?? 1);
  line(
    `c${c} getCredentials`,
    await measure(resolveOp(server.core, seeded), {
      concurrency: c,
      durationMs: 4000,
      warmupMs: 500,
      pgCpuUs: server.pgCpuUs,
    }),
  );
} finally {
  await server.close();
}
