/**
 * Experiment: cost of one audit append at concurrency 1 by statement shape, on copies of the
 * audit tables (schema `x`, same columns and indexes). Each variant commits one event per call.
 * Variants alternate over several rounds so machine drift hits all alike. Throwaway.
 */
import { randomUUID } from "node:crypto";
import { hashEvent } from "../../src/audit/chain.js";
import { Recorder } from "../load.js";
import { openBenchServer } from "../server.js";
import { line } from "./print.js";

const APPEND_SQL = `
WITH h AS (
  UPDATE x.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO x.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT * FROM unnest($4::bigint[], $5::timestamptz[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
WHERE EXISTS (SELECT 1 FROM h)`;
const SINGLE_SQL = `
WITH h AS (
  UPDATE x.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO x.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT $2, $4, $5, $6, $7, $8, $9, $10, $3 WHERE EXISTS (SELECT 1 FROM h)`;

const server = await openBenchServer({ poolSize: 40, databaseUrl: undefined });
try {
  const { admin } = server;
  await admin.query(`CREATE SCHEMA x;
    CREATE TABLE x.event (LIKE audit.event INCLUDING ALL);
    CREATE TABLE x.event_noidx (LIKE audit.event INCLUDING DEFAULTS);
    ALTER TABLE x.event_noidx ADD PRIMARY KEY (seq);
    CREATE TABLE x.head (LIKE audit.head INCLUDING ALL);
    INSERT INTO x.head VALUES (1, 0, repeat('0', 64));
    CREATE TABLE x.bare (i bigint PRIMARY KEY)`);
  const { rows: plan } = await admin.query(
    `EXPLAIN (ANALYZE, SUMMARY) ${APPEND_SQL.replace("$1", "0")
      .replace("$2", "1")
      .replace("$3", "'h'")
      .replace("$4::bigint[]", "ARRAY[1]::bigint[]")
      .replace("$5::timestamptz[]", "ARRAY[now()]")
      .replace("$6::text[]", "ARRAY['t']")
      .replace("$7::uuid[]", `ARRAY['${randomUUID()}']::uuid[]`)
      .replace("$8::text[]", "ARRAY['resolve']")
      .replace("$9::text[]", "ARRAY['a']")
      .replace("$10::text[]", "ARRAY['ok']")
      .replace("$11::text[]", "ARRAY['p']")
      .replace("$12::text[]", "ARRAY['h']")}`,
  );
  for (const r of plan) if (/Time/.test(r["QUERY PLAN"])) console.log("APPEND_SQL", r["QUERY PLAN"]);
  await admin.query("UPDATE x.head SET seq = 1, hash = 'h'");
  await admin.query("DELETE FROM x.event");
  let head = { seq: 1, hash: "h" };
  let n = 0;
  let free = 1e12; // seqs of the variants that do not advance x.head
  const ev = () => {
    const time = new Date().toISOString();
    const e = {
      seq: head.seq + 1,
      time,
      tenant: "bench",
      guid: randomUUID(),
      action: "resolve" as const,
      accessor: "operator:bench",
      outcome: "allowed",
      prevHash: head.hash,
    };
    return { e, hash: hashEvent(e) };
  };
  const arrays = (e: ReturnType<typeof ev>["e"], hash: string) => [
    [e.seq],
    [e.time],
    [e.tenant],
    [e.guid],
    [e.action],
    [e.accessor],
    [e.outcome],
    [e.prevHash],
    [hash],
  ];
  const variants: Record<string, () => Promise<void>> = {
    "bare 1-row INSERT commit": async () => void (await admin.query("INSERT INTO x.bare VALUES ($1)", [++n])),
    "APPEND_SQL unnamed (today)": async () => {
      const { e, hash } = ev();
      const r = await admin.query(APPEND_SQL, [head.seq, e.seq, hash, ...arrays(e, hash)]);
      if (r.rowCount !== 1) throw new Error("lost");
      head = { seq: e.seq, hash };
    },
    "APPEND_SQL named (prepared)": async () => {
      const { e, hash } = ev();
      const r = await admin.query({
        name: "append",
        text: APPEND_SQL,
        values: [head.seq, e.seq, hash, ...arrays(e, hash)],
      });
      if (r.rowCount !== 1) throw new Error("lost");
      head = { seq: e.seq, hash };
    },
    "single-row VALUES + head CAS, prepared": async () => {
      const { e, hash } = ev();
      const r = await admin.query({
        name: "single",
        text: SINGLE_SQL,
        values: [
          head.seq,
          e.seq,
          hash,
          e.time,
          e.tenant,
          e.guid,
          e.action,
          e.accessor,
          e.outcome,
          e.prevHash,
        ],
      });
      if (r.rowCount !== 1) throw new Error("lost");
      head = { seq: e.seq, hash };
    },
    "INSERT event only (no head), prepared": async () => {
      const { e, hash } = ev();
      await admin.query({
        name: "ins",
        text: "INSERT INTO x.event VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        values: [free++, e.time, e.tenant, e.guid, e.action, e.accessor, e.outcome, e.prevHash, hash],
      });
    },
    "INSERT event, PK only, prepared": async () => {
      const { e, hash } = ev();
      await admin.query({
        name: "ins2",
        text: "INSERT INTO x.event_noidx VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        values: [free++, e.time, e.tenant, e.guid, e.action, e.accessor, e.outcome, e.prevHash, hash],
      });
    },
  };
  const recs = Object.entries(variants).map(([k, op]) => [k, new Recorder(op, server.pgCpuUs)] as const);
  const rounds = Number(process.env.ROUNDS ?? 4);
  for (let r = 0; r < rounds; r++)
    for (const [, rec] of recs)
      await rec.segment({ concurrency: 1, durationMs: 1500, warmupMs: r === 0 ? 300 : 100 });
  for (const [k, rec] of recs) line(`c1 ${k}`, rec.stats());
  for (const [k, rec] of recs)
    console.log(`  ${k.padEnd(44)} other ${rec.stats().foreignCpuPct.toFixed(0)}%`);
} finally {
  await server.close();
}
