/**
 * Experiment: prototypes of put against today's store.put and the bare-commit floor, alternating
 * over rounds at concurrency 1 and 32:
 *  A  the same INSERT as a named (prepared) statement, then a prepared audit append
 *  B  A, with the audit append in parallel with the INSERT (a failed INSERT would append a
 *     failure event afterwards, as getCredentials does)
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
  const variants: [string, () => Promise<void>][] = [
    ["floor: bare 1-row INSERT commit", putFloorOp(admin)],
    ["store.put today", putOp(core)],
    ["A prepared INSERT, then prepared audit", async () => void (await a("bench", benchSecret()))],
    ["B A with audit in parallel", async () => void (await b("bench", benchSecret()))],
  ];
  const rounds = Number(process.env.ROUNDS ?? 3);
  for (const c of (process.env.CS ?? "1,32").split(",").map(Number)) {
    const recs = variants.map(([k, op]) => [k, new Recorder(op, server.pgCpuUs)] as const);
    for (let r = 0; r < rounds; r++)
      for (const [, rec] of recs) {
        await admin.query("CHECKPOINT");
        await rec.segment({ concurrency: c, durationMs: 1500, warmupMs: r === 0 ? 300 : 100 });
      }
    const base = recs[0]?.[1].stats();
    for (const [k, rec] of recs) {
      const s = rec.stats();
      line(`c${c} ${k}`, s);
      console.log(
        `      ratio ${(s.perSec / (base?.perSec ?? 1)).toFixed(3)}  other ${s.foreignCpuPct.toFixed(0)}%`,
      );
    }
  }
} finally {
  await server.close();
}
