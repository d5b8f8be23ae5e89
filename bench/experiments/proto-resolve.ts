/**
 * Experiment: prototypes of getCredentials against today's and the floor, alternating over
 * rounds at concurrency 1 and 32 (env ROUNDS, SEG_MS). Prototype steps:
 *  A  prepared SELECT + prepared audit statement, decrypt after both finish (as today)
 *  B  A + decrypt, parse, freeze and masker registration overlapped with the audit wait
 *  C  B + a one-event flush uses a single-row VALUES statement (no arrays)
 * Error paths (not found, integrity, failure events) are elided: the happy path is what is timed.
 * Throwaway.
 */
import type pg from "pg";
import { parseTenant, parseUuid } from "../../src/ids/index.js";
import { masker } from "../../src/redact/index.js";
import { accessorString } from "../../src/secret-store/backends/postgres.js";
import { dekAad, open, secretAad, unpackSealed } from "../../src/secret-store/envelope.js";
import { createKeyRing } from "../../src/secret-store/key-ring.js";
import type { Accessor, SecretHalf } from "../../src/secret-store/types.js";
import { Recorder } from "../load.js";
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
import { type AuditShape, protoAudit } from "./proto-audit.js";

const SELECT = `SELECT v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext
  FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version
 WHERE c.guid = $1 AND c.tenant = $2 AND c.destroyed_at IS NULL`;
type Row = { version: number; kek_id: string; wrapped_dek: Buffer; nonce: Buffer; ciphertext: Buffer };

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function protoStore(
  secretPool: pg.Pool,
  auditPool: pg.Pool,
  masterKey: Buffer,
  shape: AuditShape,
  overlap: boolean,
) {
  const ring = createKeyRing(secretPool, masterKey);
  const audit = protoAudit(auditPool, shape);
  const policy = async (_g: string, _t: string, a: Accessor) => a.kind !== "run";
  const decode = async (guid: string, tenant: string, res: pg.QueryResult<Row>) => {
    const row = res.rows[0];
    if (!row) throw new Error("not found");
    const kek = await ring.get(row.kek_id);
    const dek = open(
      kek.key,
      unpackSealed(row.wrapped_dek),
      dekAad(tenant, guid, row.version, kek.id),
      "dek",
    );
    const plain = open(
      dek,
      { nonce: row.nonce, ciphertext: row.ciphertext },
      secretAad(tenant, guid, row.version),
      "c",
    );
    dek.fill(0);
    const secret = deepFreeze(JSON.parse(plain.toString("utf8")) as SecretHalf);
    plain.fill(0);
    const releases = stringsOf(secret).map((s) => masker.register(s));
    return Object.freeze({
      guid,
      tenant,
      version: row.version,
      secret,
      release: () => {
        for (const r of releases) r();
      },
    });
  };
  return {
    audit,
    async getCredentials(guidIn: string, accessor: Accessor) {
      const guid = parseUuid(guidIn, "credential GUID");
      const tenant = parseTenant(accessor.tenant);
      if (!(await policy(guid, tenant, accessor))) throw new Error("denied");
      const ev = {
        tenant,
        guid,
        action: "resolve" as const,
        accessor: accessorString(accessor),
        outcome: "allowed",
      };
      const select = secretPool.query<Row>({ name: "resolve_select", text: SELECT, values: [guid, tenant] });
      if (overlap) {
        const [out] = await Promise.all([select.then((res) => decode(guid, tenant, res)), audit.append(ev)]);
        return out;
      }
      const [res] = await Promise.all([select, audit.append(ev)]);
      return decode(guid, tenant, res);
    },
  };
}

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { core, admin } = server;
  const seeded = await seedCredentials(core, 1000);
  await admin.query("ANALYZE");
  const floor = floorResolver(server.secretRolePool(40), core.masterKey.key);
  const pick = () => (seeded[Math.floor(Math.random() * seeded.length)] as Seeded).guid;
  const protos = {
    A: protoStore(core.db.secretPool, core.db.auditPool, core.masterKey.key, "prepared", false),
    B: protoStore(core.db.secretPool, core.db.auditPool, core.masterKey.key, "prepared", true),
    C: protoStore(core.db.secretPool, core.db.auditPool, core.masterKey.key, "prepared-single", true),
  };
  const protoOp = (p: (typeof protos)["A"]) => async () =>
    (await p.getCredentials(pick(), BENCH_ACCESSOR)).release();
  const variants: [string, () => Promise<void>, (typeof protos)["A"] | undefined][] = [
    ["floor (SELECT + decrypt)", floorOp(floor, seeded), undefined],
    ["getCredentials today", resolveOp(core, seeded), undefined],
    ["A prepared statements", protoOp(protos.A), protos.A],
    ["B A + decrypt overlapped with audit", protoOp(protos.B), protos.B],
    ["C B + 1-row audit statement", protoOp(protos.C), protos.C],
  ];
  const rounds = Number(process.env.ROUNDS ?? 3);
  const segMs = Number(process.env.SEG_MS ?? 1500);
  for (const c of (process.env.CS ?? "1,32").split(",").map(Number)) {
    const recs = variants.map(([k, op, p]) => ({
      k,
      p,
      rec: new Recorder(op, server.pgCpuUs),
      flush: [] as number[],
    }));
    for (let r = 0; r < rounds; r++)
      for (const v of recs) {
        await admin.query("CHECKPOINT");
        v.p?.audit.takeMeanFlush();
        await v.rec.segment({ concurrency: c, durationMs: segMs, warmupMs: r === 0 ? 300 : 100 });
        if (v.p) v.flush.push(v.p.audit.takeMeanFlush());
      }
    const base = recs[0]?.rec.stats();
    for (const v of recs) {
      const s = v.rec.stats();
      line(`c${c} ${v.k}`, s);
      console.log(
        `      ratio ${(s.perSec / (base?.perSec ?? 1)).toFixed(3)}  p99 ratio ${(s.p99Ms / (base?.p99Ms ?? 1)).toFixed(2)}  other ${s.foreignCpuPct.toFixed(0)}%` +
          (v.flush.length
            ? `  events/flush ${(v.flush.reduce((a, b) => a + b, 0) / v.flush.length).toFixed(1)}`
            : ""),
      );
    }
  }
} finally {
  await server.close();
}
