/**
 * Experiment: where does a resolve's time go? Measures each component alone at c1 and c32.
 * Throwaway; run with `npx tsx bench/experiments/breakdown.ts`.
 */
import type { AuditLog } from "../../src/audit/types.js";
import { createPostgresSecretStore } from "../../src/secret-store/backends/postgres.js";
import { measure } from "../load.js";
import {
  BENCH_ACCESSOR,
  floorOp,
  floorResolver,
  resolveOp,
  type Seeded,
  seedCredentials,
} from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core } = server;
  const seeded = await seedCredentials(core, 1000);
  await server.admin.query("ANALYZE");
  const floorPool = server.secretRolePool(40);
  const floor = floorResolver(floorPool, core.masterKey.key);
  const noAudit: AuditLog = { ...core.audit, append: async () => {} };
  const storeNoAudit = createPostgresSecretStore({
    pool: core.db.secretPool,
    audit: noAudit,
    masterKey: core.masterKey.key,
  });
  const pick = () => seeded[Math.floor(Math.random() * seeded.length)] as Seeded;
  const ops: Record<string, () => Promise<void>> = {
    "select only": async () => {
      await floorPool.query(
        "SELECT v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version WHERE c.guid = $1 AND c.tenant = $2 AND c.destroyed_at IS NULL",
        [pick().guid, "bench"],
      );
    },
    "SELECT 1": async () => {
      await floorPool.query("SELECT 1");
    },
    floor: floorOp(floor, seeded),
    "audit.append only": async () => {
      await core.audit.append({
        tenant: "bench",
        guid: pick().guid,
        action: "resolve",
        accessor: "operator:bench",
        outcome: "allowed",
      });
    },
    "store, audit no-op": async () => {
      const r = await storeNoAudit.getCredentials(pick().guid, BENCH_ACCESSOR);
      r.release();
    },
    "store, full": resolveOp(core, seeded),
  };
  const ms = Number(process.env.MS ?? 3000);
  for (const c of [1, 32]) {
    for (const [name, op] of Object.entries(ops)) {
      await server.admin.query("CHECKPOINT");
      const s = await measure(op, { concurrency: c, durationMs: ms, warmupMs: 500, pgCpuUs: server.pgCpuUs });
      line(`c${c} ${name}`, s);
    }
  }
} finally {
  await server.close();
}
