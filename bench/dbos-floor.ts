/**
 * The floor of the runs bench, in its own process (DBOS is one per process): a bare DBOS
 * workflow of two empty steps on the same PostgreSQL (its own system schema). Reads the system
 * database URL from stdin; prints one JSON line:
 * `{ p50Ms, p99Ms, sequential, runsPerSec, concurrent }`.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { DBOS } from "@dbos-inc/dbos-sdk";
import { percentile } from "./load.js";

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const url = Buffer.concat(chunks).toString("utf8").trim();
const sequential = Number(process.argv[2] ?? 200);
const concurrent = Number(process.argv[3] ?? 1000);

let started = 0;
const reached = new Map<string, number>();
const floor = DBOS.registerWorkflow(
  async (_input: { workflow_id: string }) => {
    await DBOS.runStep(async () => {}, { name: "first" });
    await DBOS.runStep(
      async () => {
        reached.set(DBOS.workflowID as string, performance.now());
      },
      { name: "second" },
    );
  },
  { name: "bench.floor" },
);

DBOS.setConfig({
  name: "guidvault-bench-floor",
  systemDatabaseUrl: url,
  systemDatabaseSchemaName: "dbos_floor",
  logger: { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} },
});
await DBOS.launch();

const latencies: number[] = [];
for (let i = 0; i < sequential + 20; i++) {
  const id = randomUUID();
  started = performance.now();
  const h = await DBOS.startWorkflow(floor, { workflowID: id })({ workflow_id: id });
  await h.getResult();
  if (i >= 20) latencies.push((reached.get(id) as number) - started);
}
const t0 = performance.now();
const handles = await Promise.all(
  Array.from({ length: concurrent }, () => {
    const id = randomUUID();
    return DBOS.startWorkflow(floor, { workflowID: id })({ workflow_id: id });
  }),
);
await Promise.all(handles.map((h) => h.getResult()));
const seconds = (performance.now() - t0) / 1000;
await DBOS.shutdown();
const sorted = Float64Array.from(latencies).sort();
process.stdout.write(
  `${JSON.stringify({ p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), sequential, runsPerSec: concurrent / seconds, concurrent })}\n`,
);
process.exit(0);
