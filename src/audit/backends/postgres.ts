/**
 * PostgreSQL audit log with a group-commit writer.
 *
 * Appends never wait on a timer: when no flush is in flight an event is written at once; while
 * one is in flight, new events queue and go out together in the next flush, as one statement
 * that also advances `audit.head` (compare-and-set on the head seq, so several processes can
 * share one chain: a process that lost the race re-reads the head and rehashes its batch).
 */
import type pg from "pg";
import { createGroupCommitter } from "../../db/group-commit.js";
import { GuidvaultError, mapStoreError } from "../../errors/index.js";
import { GENESIS_HASH, hashEvent } from "../chain.js";
import type { AuditEvent, AuditEventInput, AuditLog, AuditQuery, AuditVerifyResult } from "../types.js";

/** Options of {@link createPostgresAuditLog}. */
export interface PostgresAuditOptions {
  /** Pool logged in as the audit role. */
  pool: pg.Pool;
  /** Maximum events per flush (default 512). */
  batchMax?: number;
}

const APPEND_SQL = `
WITH h AS (
  UPDATE audit.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO audit.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT * FROM unnest($4::bigint[], $5::timestamptz[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
WHERE EXISTS (SELECT 1 FROM h)`;

/** One event: plain VALUES, cheaper to plan and run than the array form (the common case at low load). */
const APPEND_ONE_SQL = `
WITH h AS (
  UPDATE audit.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO audit.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT $2, $4::timestamptz, $5, $6::uuid, $7, $8, $9, $10, $3
WHERE EXISTS (SELECT 1 FROM h)`;

type Row = {
  seq: string;
  time: Date;
  tenant: string;
  guid: string | null;
  action: string;
  accessor: string;
  outcome: string;
  prev_hash: string;
  hash: string;
};

function toEvent(r: Row): AuditEvent {
  return {
    seq: Number(r.seq),
    time: r.time.toISOString(),
    tenant: r.tenant,
    guid: r.guid,
    action: r.action as AuditEvent["action"],
    accessor: r.accessor,
    outcome: r.outcome,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Creates the PostgreSQL audit log. */
export function createPostgresAuditLog(opts: PostgresAuditOptions): AuditLog {
  const { pool } = opts;
  const batchMax = opts.batchMax ?? 512;
  let head: { seq: number; hash: string } | undefined;

  async function readHead(): Promise<{ seq: number; hash: string }> {
    const { rows } = await pool.query<{ seq: string; hash: string }>(
      "SELECT seq, hash FROM audit.head WHERE id = 1",
    );
    const r = rows[0];
    if (!r) throw new GuidvaultError("INTEGRITY_ERROR", "audit.head row is missing");
    return { seq: Number(r.seq), hash: r.hash };
  }

  async function write(events: AuditEventInput[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      head ??= await readHead();
      const time = new Date().toISOString();
      let prev = head;
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const e of events) {
        const ev = { ...e, seq: prev.seq + 1, time, prevHash: prev.hash };
        const hash = hashEvent(ev);
        const values = [
          ev.seq,
          time,
          ev.tenant,
          ev.guid,
          ev.action,
          ev.accessor,
          ev.outcome,
          ev.prevHash,
          hash,
        ];
        for (const [i, v] of values.entries()) cols[i]?.push(v);
        prev = { seq: ev.seq, hash };
      }
      // Named statements: parsed and planned once per connection.
      const res =
        events.length === 1
          ? await pool.query({
              name: "gv_audit_append_one",
              text: APPEND_ONE_SQL,
              values: [head.seq, prev.seq, prev.hash, ...cols.slice(1, 8).map((c) => c[0])],
            })
          : await pool.query({
              name: "gv_audit_append",
              text: APPEND_SQL,
              values: [head.seq, prev.seq, prev.hash, ...cols],
            });
      if (res.rowCount === events.length) {
        head = prev;
        return;
      }
      head = undefined; // another process appended first: re-read the head and rehash
      if (attempt > 1000)
        throw new GuidvaultError("STORE_UNAVAILABLE", "audit log: could not append (head contention)");
    }
  }

  const committer = createGroupCommitter<AuditEventInput>(async (events) => {
    try {
      await write(events);
    } catch (err) {
      head = undefined;
      throw mapStoreError(err, "audit log");
    }
  }, batchMax);

  return {
    append(input) {
      return committer.submit(Array.isArray(input) ? input : [input]);
    },

    async query(q: AuditQuery = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace("?", `$${params.length}`));
      };
      if (q.tenant !== undefined) add("tenant = ?", q.tenant);
      if (q.guid !== undefined) add("guid = ?::uuid", q.guid);
      if (q.action !== undefined) add("action = ?", q.action);
      if (q.since !== undefined) add("time >= ?", q.since);
      if (q.afterSeq !== undefined) add("seq > ?", q.afterSeq);
      const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
      const sql = `SELECT * FROM audit.event ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq ${
        q.descending ? "DESC" : "ASC"
      } LIMIT ${limit}`;
      try {
        return (await pool.query<Row>(sql, params)).rows.map(toEvent);
      } catch (err) {
        throw mapStoreError(err, "audit log");
      }
    },

    async lastAccess(guids) {
      if (guids.length === 0) return new Map();
      try {
        const { rows } = await pool.query<{ guid: string; time: Date }>(
          `SELECT DISTINCT ON (guid) guid, time FROM audit.event
            WHERE guid = ANY($1::uuid[]) AND action = 'resolve' AND outcome = 'allowed' ORDER BY guid, seq DESC`,
          [guids],
        );
        return new Map(rows.map((r) => [r.guid, r.time]));
      } catch (err) {
        throw mapStoreError(err, "audit log");
      }
    },

    async verify(onProgress): Promise<AuditVerifyResult> {
      try {
        const total = Number(
          (await pool.query<{ n: string }>("SELECT count(*) AS n FROM audit.event")).rows[0]?.n ?? 0,
        );
        let prevHash = GENESIS_HASH;
        let expectSeq = 1;
        let count = 0;
        for (;;) {
          const { rows } = await pool.query<Row>(
            "SELECT * FROM audit.event WHERE seq >= $1 ORDER BY seq LIMIT 5000",
            [expectSeq],
          );
          if (rows.length === 0) break;
          for (const r of rows) {
            const e = toEvent(r);
            const bad = (reason: string): AuditVerifyResult => ({
              ok: false,
              count,
              firstBadSeq: expectSeq,
              reason,
            });
            if (e.seq !== expectSeq) return bad(`event ${expectSeq} is missing`);
            if (e.prevHash !== prevHash) return bad("prev_hash does not match the previous event's hash");
            if (hashEvent(e) !== e.hash) return bad("hash does not match the event's contents");
            prevHash = e.hash;
            expectSeq++;
            count++;
          }
          onProgress?.(count, total);
        }
        const h = await readHead();
        if (h.seq !== count || h.hash !== prevHash) {
          return {
            ok: false,
            count,
            firstBadSeq: count + 1,
            reason: `chain ends at ${count} but the head says ${h.seq}`,
          };
        }
        return { ok: true, count, headSeq: h.seq };
      } catch (err) {
        throw mapStoreError(err, "audit log");
      }
    },

    async close() {
      await committer.idle();
    },
  };
}
