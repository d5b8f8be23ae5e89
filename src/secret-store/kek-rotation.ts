/**
 * KEK rotation: a new KEK becomes primary, then every DEK is unwrapped with its old KEK and
 * re-wrapped with the new one in batches (keyset order on the primary key), each batch one
 * transaction. Ciphertext is never touched. An interrupted rotation is recorded in
 * `secret.kek_rotation` and resumed by the next call.
 */
import type pg from "pg";
import { withClient, withTransaction } from "../db/client.js";
import { GuidvaultError } from "../errors/index.js";
import { dekAad, open, packSealed, seal, unpackSealed } from "./envelope.js";
import type { KeyRing } from "./key-ring.js";
import type { KekRotationResult, RotationProgress } from "./types.js";

/** Options of {@link rotateKek}. */
export interface KekRotationOptions {
  pool: pg.Pool;
  ring: KeyRing;
  /** DEKs per transaction (default 2,000). */
  batchSize?: number;
  onProgress?: RotationProgress;
  /** Start a new rotation even if one is unfinished. */
  forceNew?: boolean;
  /** Stops between batches; the rotation stays resumable. */
  signal?: AbortSignal;
}

const ROTATION_LOCK = 0x67760002; // advisory lock id: one rotation at a time

/** Next batch of versions not yet under the target KEK, in primary-key order, locked. */
const BATCH_SQL = `SELECT v.guid, v.version, v.kek_id, v.wrapped_dek, c.tenant
  FROM secret.version v JOIN secret.credential c ON c.guid = v.guid
 WHERE (v.guid, v.version) > ($1::uuid, $2::int) AND v.kek_id <> $3
 ORDER BY v.guid, v.version LIMIT $4 FOR UPDATE OF v`;

/** A row of {@link BATCH_SQL}. */
interface RotationRow {
  guid: string;
  version: number;
  kek_id: string;
  wrapped_dek: Buffer;
  tenant: string;
}

/**
 * Runs (or resumes) a KEK rotation.
 * @throws GuidvaultError `CONFLICT` when another rotation holds the lock; the abort reason when aborted
 */
export async function rotateKek(opts: KekRotationOptions): Promise<KekRotationResult> {
  const { pool, ring } = opts;
  const batchSize = opts.batchSize ?? 2000;
  return withClient(pool, "secret store", async (lock) => {
    const { rows: got } = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      ROTATION_LOCK,
    ]);
    if (!got[0]?.ok) throw new GuidvaultError("CONFLICT", "another KEK rotation is running");
    try {
      const { rows: open_ } = await lock.query<{ id: string; to_kek: string }>(
        "SELECT id, to_kek FROM secret.kek_rotation WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
      );
      let rotationId: string;
      let target: string;
      let resumed = false;
      if (open_[0] && !opts.forceNew) {
        rotationId = open_[0].id;
        target = open_[0].to_kek;
        resumed = true;
      } else {
        await lock.query("BEGIN");
        const kek = await ring.createPrimary(lock);
        await lock.query("UPDATE secret.kek_rotation SET finished_at = now() WHERE finished_at IS NULL");
        const { rows } = await lock.query<{ id: string }>(
          "INSERT INTO secret.kek_rotation (to_kek) VALUES ($1) RETURNING id",
          [kek.id],
        );
        await lock.query("COMMIT");
        ring.invalidate();
        rotationId = rows[0]?.id as string;
        target = kek.id;
      }
      const targetKek = await ring.get(target);
      const { rows: cnt } = await lock.query<{ n: string }>(
        "SELECT count(*) AS n FROM secret.version WHERE kek_id <> $1",
        [target],
      );
      const total = Number(cnt[0]?.n ?? 0);
      let done = 0;
      opts.onProgress?.(done, total);
      // Two workers, each on its own connection and transaction: while one re-wraps and updates
      // its batch, the other reads the next one. Reads are taken in turn (the keyset cursor is
      // shared), so batches never overlap.
      let after: [string, number] = ["00000000-0000-0000-0000-000000000000", 0];
      let cursor: Promise<void> = Promise.resolve();
      let finished = false;
      const worker = async () => {
        while (!finished) {
          opts.signal?.throwIfAborted();
          const n = await withTransaction(pool, "secret store", async (c) => {
            let release: () => void = () => {};
            const turn = cursor;
            cursor = new Promise<void>((r) => {
              release = r;
            });
            let rows: RotationRow[];
            try {
              await turn;
              if (finished) return 0;
              rows = (
                await c.query<RotationRow>({
                  name: "gv_kek_rotation_batch",
                  text: BATCH_SQL,
                  values: [after[0], after[1], target, batchSize],
                })
              ).rows;
              const last = rows[rows.length - 1];
              if (last) after = [last.guid, last.version];
              else finished = true;
            } finally {
              release();
            }
            if (rows.length === 0) return 0;
            const wrapped = await Promise.all(rows.map((r) => rewrap(r)));
            await c.query(
              `UPDATE secret.version v SET kek_id = $1, wrapped_dek = u.w
                 FROM unnest($2::uuid[], $3::int[], $4::bytea[]) AS u(g, ver, w)
                WHERE v.guid = u.g AND v.version = u.ver`,
              [target, rows.map((r) => r.guid), rows.map((r) => r.version), wrapped],
            );
            await c.query("UPDATE secret.kek_rotation SET rewrapped = rewrapped + $2 WHERE id = $1", [
              rotationId,
              rows.length,
            ]);
            return rows.length;
          });
          if (n > 0) {
            done += n;
            opts.onProgress?.(done, Math.max(total, done));
          }
        }
      };
      const rewrap = async (r: RotationRow): Promise<Buffer> => {
        const old = await ring.get(r.kek_id);
        const dek = open(
          old.key,
          unpackSealed(r.wrapped_dek),
          dekAad(r.tenant, r.guid, r.version, old.id),
          `credential ${r.guid} v${r.version} DEK`,
        );
        const out = packSealed(seal(targetKek.key, dek, dekAad(r.tenant, r.guid, r.version, target)));
        dek.fill(0);
        return out;
      };
      const results = await Promise.allSettled([worker(), worker()]);
      finished = true;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      await lock.query("UPDATE secret.kek_rotation SET finished_at = now() WHERE id = $1", [rotationId]);
      return { kekId: target, rewrapped: done, resumed };
    } catch (err) {
      await lock.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      await lock.query("SELECT pg_advisory_unlock($1)", [ROTATION_LOCK]).catch(() => {});
    }
  });
}
