/**
 * Experiment: prototypes of put against today's store.put and the bare-commit floor, alternating
 * over rounds at concurrency 1 and 32:
 *  A  the same INSERT as a named (prepared) statement, then a prepared audit append
 *  B  A, with the audit append in parallel with the INSERT (a failed INSERT would append a
 *     failure event afterwards, as getCredentials does)
 *  C  B, with the INSERTs group-committed like the audit log: while one flush is in flight, new
 *     puts queue and go out together as one prepared unnest statement (one commit per flush)
 * Validation, masker registration and the KEK-changed retry are kept as in the store. Throwaway.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { parseTenant } from "../../src/ids/index.js";
import { masker } from "../../src/redact/index.js";
import { dekAad, KEY_BYTES, packSealed, seal, secretAad } from "../../src/secret-store/envelope.js";
import { createKeyRing } from "../../src/secret-store/key-ring.js";
import { Recorder } from "../load.js";
import { createPutFloorTable, putFloorOp, putOp } from "../put.js";
import { benchSecret } from "../resolve.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";
import { protoAudit } from "./proto-audit.js";

const PUT_SQL = `WITH k AS (SELECT 1 FROM secret.kek WHERE id = $3 AND is_primary),
                  c AS (INSERT INTO secret.credential (guid, tenant, current_version)
                        SELECT $1, $2, 1 WHERE EXISTS (SELECT 1 FROM k) RETURNING guid)
             INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext)
             SELECT guid, 1, $3, $4, $5, $6 FROM c`;

const BATCH_SQL = `WITH k AS (SELECT 1 FROM secret.kek WHERE id = $2 AND is_primary),
  c AS (INSERT INTO secret.credential (guid, tenant, current_version)
        SELECT g, $1, 1 FROM unnest($3::uuid[]) AS g WHERE EXISTS (SELECT 1 FROM k) RETURNING guid)
INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext)
SELECT u.g, 1, $2, u.w, u.n, u.c FROM unnest($3::uuid[], $4::bytea[], $5::bytea[], $6::bytea[]) AS u(g, w, n, c)
 WHERE u.g IN (SELECT guid FROM c)`;

interface Row {
  guid: string;
  wrapped: Buffer;
  nonce: Buffer;
  ct: Buffer;
  done: (err?: unknown) => void;
}

/** Group-commits put rows of one tenant and KEK (enough for the prototype). */
function batchWriter(pool: pg.Pool, tenant: string, kekId: string) {
  const queue: Row[] = [];
  let flushing: Promise<void> | undefined;
  const sizes: number[] = [];
  async function drain() {
    while (queue.length > 0) {
      const batch = queue.splice(0, 512);
      try {
        const res = await pool.query({
          name: "put_batch",
          text: BATCH_SQL,
          values: [
            tenant,
            kekId,
            batch.map((r) => r.guid),
            batch.map((r) => r.wrapped),
            batch.map((r) => r.nonce),
            batch.map((r) => r.ct),
          ],
        });
        if (res.rowCount !== batch.length) throw new Error("KEK changed");
        sizes.push(batch.length);
        for (const r of batch) r.done();
      } catch (err) {
        for (const r of batch) r.done(err);
      }
    }
  }
  const kick = () => {
    if (flushing) return;
    flushing = drain().finally(() => {
      flushing = undefined;
      if (queue.length > 0) kick();
    });
  };
  return {
    write(r: Omit<Row, "done">): Promise<void> {
      return new Promise((resolve, reject) => {
        queue.push({ ...r, done: (err) => (err ? reject(err) : resolve()) });
        kick();
      });
    },
    meanBatch: () => sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
  };
}

async function protoBatchedPut(pool: pg.Pool, auditPool: pg.Pool, masterKey: Buffer) {
  const kek = await createKeyRing(pool, masterKey).primary();
  const writer = batchWriter(pool, "bench", kek.id);
  const audit = protoAudit(auditPool, "prepared-single");
  const put = async (tenantIn: string, secret: Record<string, unknown>) => {
    const tenant = parseTenant(tenantIn);
    const bytes = Buffer.from(JSON.stringify(secret), "utf8");
    const release = Object.values(secret)
      .filter((v): v is string => typeof v === "string")
      .map((s) => masker.register(s));
    try {
      const guid = randomUUID();
      const dek = randomBytes(KEY_BYTES);
      const sealed = seal(dek, bytes, secretAad(tenant, guid, 1));
      const wrapped = packSealed(seal(kek.key, dek, dekAad(tenant, guid, 1, kek.id)));
      dek.fill(0);
      const ev = { tenant, guid, action: "put" as const, accessor: "operator:system", outcome: "ok" };
      await Promise.all([
        writer.write({ guid, wrapped, nonce: sealed.nonce, ct: sealed.ciphertext }),
        audit.append(ev),
      ]);
      return guid;
    } finally {
      for (const r of release) r();
    }
  };
  return { put, writer };
}

function protoPut(pool: pg.Pool, auditPool: pg.Pool, masterKey: Buffer, parallel: boolean) {
  const ring = createKeyRing(pool, masterKey);
  const audit = protoAudit(auditPool, "prepared-single");
  return async (tenantIn: string, secret: Record<string, unknown>) => {
    const tenant = parseTenant(tenantIn);
    const bytes = Buffer.from(JSON.stringify(secret), "utf8");
    const release = Object.values(secret)
      .filter((v): v is string => typeof v === "string")
      .map((s) => masker.register(s));
    try {
      const guid = randomUUID();
      const kek = await ring.primary();
      const dek = randomBytes(KEY_BYTES);
      const sealed = seal(dek, bytes, secretAad(tenant, guid, 1));
      const wrapped = packSealed(seal(kek.key, dek, dekAad(tenant, guid, 1, kek.id)));
      dek.fill(0);
      const ins = pool.query({
        name: "put",
        text: PUT_SQL,
        values: [guid, tenant, kek.id, wrapped, sealed.nonce, sealed.ciphertext],
      });
      const ev = { tenant, guid, action: "put" as const, accessor: "operator:system", outcome: "ok" };
      if (parallel) {
        const [res] = await Promise.all([ins, audit.append(ev)]);
        if (res.rowCount !== 1) throw new Error("KEK changed (retry elided in the prototype)");
      } else {
        const res = await ins;
        if (res.rowCount !== 1) throw new Error("KEK changed (retry elided in the prototype)");
        await audit.append(ev);
      }
      return guid;
    } finally {
      for (const r of release) r();
    }
  };
}

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  await createPutFloorTable(admin);
  const a = protoPut(core.db.secretPool, core.db.auditPool, core.masterKey.key, false);
  const b = protoPut(core.db.secretPool, core.db.auditPool, core.masterKey.key, true);
  const c = await protoBatchedPut(core.db.secretPool, core.db.auditPool, core.masterKey.key);
  const variants: [string, () => Promise<void>][] = [
    ["floor: bare 1-row INSERT commit", putFloorOp(admin)],
    ["store.put today", putOp(core)],
    ["A prepared INSERT, then prepared audit", async () => void (await a("bench", benchSecret()))],
    ["B A with audit in parallel", async () => void (await b("bench", benchSecret()))],
    ["C B with group-committed INSERTs", async () => void (await c.put("bench", benchSecret()))],
  ];
  const rounds = Number(process.env.ROUNDS ?? 3);
  for (const conc of (process.env.CS ?? "1,32").split(",").map(Number)) {
    const recs = variants.map(([k, op]) => [k, new Recorder(op, server.pgCpuUs)] as const);
    for (let r = 0; r < rounds; r++)
      for (const [, rec] of recs) {
        await admin.query("CHECKPOINT");
        await rec.segment({ concurrency: conc, durationMs: 1500, warmupMs: r === 0 ? 300 : 100 });
      }
    const base = recs[0]?.[1].stats();
    for (const [k, rec] of recs) {
      const s = rec.stats();
      line(`c${conc} ${k}`, s);
      console.log(
        `      ratio ${(s.perSec / (base?.perSec ?? 1)).toFixed(3)}  other ${s.foreignCpuPct.toFixed(0)}%`,
      );
    }
  }
} finally {
  await server.close();
}
