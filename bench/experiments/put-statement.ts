/**
 * Experiment: where a durable put's cost goes. Variants of the put INSERT (no audit), the full
 * store.put, and the bare floor, alternating over rounds, at concurrency 1 and 32. The variant
 * without the kek foreign key drops that constraint in this throwaway cluster. Throwaway.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { dekAad, KEY_BYTES, packSealed, seal, secretAad } from "../../src/secret-store/envelope.js";
import { createKeyRing } from "../../src/secret-store/key-ring.js";
import { Recorder } from "../load.js";
import { createPutFloorTable, putFloorOp, putOp } from "../put.js";
import { benchSecret } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const PUT_SQL = `WITH k AS (SELECT 1 FROM secret.kek WHERE id = $3 AND is_primary),
                  c AS (INSERT INTO secret.credential (guid, tenant, current_version)
                        SELECT $1, $2, 1 WHERE EXISTS (SELECT 1 FROM k) RETURNING guid)
             INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext)
             SELECT guid, 1, $3, $4, $5, $6 FROM c`;

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  await createPutFloorTable(admin);
  const pool = core.db.secretPool;
  const kek = await createKeyRing(pool, core.masterKey.key).primary();
  const params = () => {
    const guid = randomUUID();
    const dek = randomBytes(KEY_BYTES);
    const s = seal(dek, Buffer.from(JSON.stringify(benchSecret())), secretAad("bench", guid, 1));
    const w = packSealed(seal(kek.key, dek, dekAad("bench", guid, 1, kek.id)));
    return [guid, "bench", kek.id, w, s.nonce, s.ciphertext];
  };
  const ins = (named: boolean) => async () => {
    const r = await pool.query(
      named ? { name: "put", text: PUT_SQL, values: params() } : { text: PUT_SQL, values: params() },
    );
    if (r.rowCount !== 1) throw new Error("put lost");
  };
  const variants: [string, () => Promise<void>][] = [
    ["floor: bare 1-row INSERT commit", putFloorOp(admin)],
    ["put INSERT only, unnamed (as today)", ins(false)],
    ["put INSERT only, prepared", ins(true)],
    ["store.put (INSERT, then audit append)", putOp(core)],
  ];
  const rounds = Number(process.env.ROUNDS ?? 3);
  for (const c of [1, 32]) {
    const recs = variants.map(([k, op]) => [k, new Recorder(op, server.pgCpuUs)] as const);
    for (let r = 0; r < rounds; r++)
      for (const [, rec] of recs) {
        await admin.query("CHECKPOINT");
        await rec.segment({ concurrency: c, durationMs: 1500, warmupMs: r === 0 ? 300 : 100 });
      }
    for (const [k, rec] of recs) line(`c${c} ${k}`, rec.stats());
    console.log(`  other% ${recs.map(([, r]) => r.stats().foreignCpuPct.toFixed(0)).join(" ")}`);
  }
  // Without the FK to secret.kek: every put's RI check locks the one primary kek row FOR KEY SHARE.
  await admin.query("ALTER TABLE secret.version DROP CONSTRAINT version_kek_id_fkey");
  const recs = [["put INSERT only, prepared, no kek FK", new Recorder(ins(true), server.pgCpuUs)]] as const;
  for (const c of [1, 32]) {
    for (const [k, rec] of recs) {
      const r2 = new Recorder(ins(true), server.pgCpuUs);
      for (let r = 0; r < rounds; r++) await r2.segment({ concurrency: c, durationMs: 1500, warmupMs: 100 });
      line(`c${c} ${k}`, r2.stats());
      void rec;
    }
  }
} finally {
  await server.close();
}
