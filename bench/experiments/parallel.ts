/**
 * Experiment: at concurrency 1, does running the SELECT and the audit commit in parallel (as
 * getCredentials does) cost max(a, b) or more? Throwaway.
 */
import { measure } from "../load.js";
import { BENCH_ACCESSOR, floorResolver, type Seeded, seedCredentials } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  const seeded = await seedCredentials(core, 1000);
  await admin.query("ANALYZE");
  await admin.query("CREATE TABLE bench_t (i int)");
  const pool = server.secretRolePool(40);
  const floor = floorResolver(pool, core.masterKey.key);
  const pick = () => (seeded[Math.floor(Math.random() * seeded.length)] as Seeded).guid;
  const ev = () => ({
    tenant: "bench",
    guid: pick(),
    action: "resolve" as const,
    accessor: "operator:bench",
    outcome: "allowed",
  });
  let n = 0;
  const ops: Record<string, () => Promise<void>> = {
    floor: async () => void (await floor(pick())),
    "audit.append": async () => void (await core.audit.append(ev())),
    "1-row insert commit": async () => void (await admin.query("INSERT INTO bench_t VALUES ($1)", [n++])),
    "floor || audit.append": async () => void (await Promise.all([floor(pick()), core.audit.append(ev())])),
    "floor ; audit.append": async () => {
      await floor(pick());
      await core.audit.append(ev());
    },
    "floor || insert commit": async () =>
      void (await Promise.all([floor(pick()), admin.query("INSERT INTO bench_t VALUES ($1)", [n++])])),
    getCredentials: async () => (await core.secretStore.getCredentials(pick(), BENCH_ACCESSOR)).release(),
  };
  for (let round = 0; round < 2; round++)
    for (const [name, op] of Object.entries(ops)) {
      const s = await measure(op, {
        concurrency: 1,
        durationMs: 2000,
        warmupMs: 300,
        pgCpuUs: server.pgCpuUs,
      });
      line(`c1 ${name}`, s);
    }
} finally {
  await server.close();
}
