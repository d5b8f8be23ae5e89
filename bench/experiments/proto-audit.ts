/**
 * Prototype of the audit group-commit writer (same algorithm as src/audit/backends/postgres.ts:
 * write at once when idle, queue while a flush is in flight, one statement per flush that also
 * advances audit.head by compare-and-set), with the statement shape as an option:
 * - `unnamed`: the unnest statement as today, parsed and planned on every flush;
 * - `prepared`: the same text as a named prepared statement (planned once per connection);
 * - `prepared-single`: prepared, and a one-event flush uses a VALUES statement without arrays.
 * Throwaway experiment code; writes the real audit tables through the audit role's pool.
 */
import type pg from "pg";
import { hashEvent } from "../../src/audit/chain.js";
import type { AuditEventInput } from "../../src/audit/types.js";

export type AuditShape = "unnamed" | "prepared" | "prepared-single";

const APPEND_SQL = `
WITH h AS (
  UPDATE audit.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO audit.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT * FROM unnest($4::bigint[], $5::timestamptz[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
WHERE EXISTS (SELECT 1 FROM h)`;

const SINGLE_SQL = `
WITH h AS (
  UPDATE audit.head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $1 RETURNING 1
)
INSERT INTO audit.event (seq, time, tenant, guid, action, accessor, outcome, prev_hash, hash)
SELECT $2, $4::timestamptz, $5, $6::uuid, $7, $8, $9, $10, $3 WHERE EXISTS (SELECT 1 FROM h)`;

interface Pending {
  events: AuditEventInput[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function protoAudit(pool: pg.Pool, shape: AuditShape, batchMax = 512) {
  let queue: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let head: { seq: number; hash: string } | undefined;
  const flushSizes: number[] = [];

  async function write(events: AuditEventInput[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (!head) {
        const { rows } = await pool.query<{ seq: string; hash: string }>(
          "SELECT seq, hash FROM audit.head WHERE id = 1",
        );
        head = { seq: Number(rows[0]?.seq), hash: rows[0]?.hash as string };
      }
      const time = new Date().toISOString();
      let prev = head;
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const e of events) {
        const ev = { ...e, seq: prev.seq + 1, time, prevHash: prev.hash };
        const hash = hashEvent(ev);
        [ev.seq, time, ev.tenant, ev.guid, ev.action, ev.accessor, ev.outcome, ev.prevHash, hash].forEach(
          (v, i) => {
            cols[i]?.push(v);
          },
        );
        prev = { seq: ev.seq, hash };
      }
      let q: pg.QueryConfig;
      if (shape === "prepared-single" && events.length === 1) {
        q = {
          name: "audit_append_1",
          text: SINGLE_SQL,
          values: [head.seq, prev.seq, prev.hash, ...cols.slice(1, 8).map((c) => c[0])],
        };
      } else {
        const values = [head.seq, prev.seq, prev.hash, ...cols];
        q =
          shape === "unnamed"
            ? { text: APPEND_SQL, values }
            : { name: "audit_append_n", text: APPEND_SQL, values };
      }
      const res = await pool.query(q);
      if (res.rowCount === events.length) {
        head = prev;
        flushSizes.push(events.length);
        return;
      }
      head = undefined;
      if (attempt > 1000) throw new Error("audit head contention");
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending[] = [];
      let n = 0;
      while (queue.length > 0 && (n === 0 || n + (queue[0]?.events.length ?? 0) <= batchMax)) {
        const p = queue.shift() as Pending;
        batch.push(p);
        n += p.events.length;
      }
      try {
        await write(batch.flatMap((p) => p.events));
        for (const p of batch) p.resolve();
      } catch (err) {
        head = undefined;
        for (const p of batch) p.reject(err);
      }
    }
  }

  function kick(): void {
    if (flushing) return;
    flushing = drain().finally(() => {
      flushing = undefined;
      if (queue.length > 0) kick();
    });
  }

  return {
    append(e: AuditEventInput): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ events: [e], resolve, reject });
        kick();
      });
    },
    /** Mean events per flush since the last call. */
    takeMeanFlush(): number {
      const n = flushSizes.length;
      const sum = flushSizes.reduce((a, b) => a + b, 0);
      queue = queue.slice();
      flushSizes.length = 0;
      return n ? sum / n : Number.NaN;
    },
  };
}
