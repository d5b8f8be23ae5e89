/**
 * KEK rotation benchmark. Seeds credentials fast by bulk-inserting properly encrypted rows (the
 * same envelope as `put`: a fresh DEK per credential, AAD-bound, wrapped by the primary KEK),
 * times `secretStore.rotateKek()`, then checks that nothing is left under an old KEK and that a
 * sample still resolves to its own value.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import type { Core } from "../src/compose.js";
import { dekAad, KEY_BYTES, packSealed, seal, secretAad } from "../src/secret-store/envelope.js";
import { createKeyRing } from "../src/secret-store/key-ring.js";
import { withForeignCpu } from "./load.js";
import { BENCH_ACCESSOR, BENCH_TENANT, benchSecret, type Seeded } from "./resolve.js";

const BULK_INSERT = `
WITH c AS (
  INSERT INTO secret.credential (guid, tenant, current_version)
  SELECT g, $1, 1 FROM unnest($2::uuid[]) AS g RETURNING guid
)
INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext)
SELECT u.g, 1, $3, u.w, u.n, u.c
  FROM unnest($2::uuid[], $4::bytea[], $5::bytea[], $6::bytea[]) AS u(g, w, n, c)
 WHERE EXISTS (SELECT 1 FROM c)`;

/**
 * Inserts `n` encrypted credentials through SQL as the secret role, `batch` per statement.
 * Returns every GUID with its password (to check a sample after rotation).
 */
export async function bulkSeed(pool: pg.Pool, masterKey: Buffer, n: number, batch = 5000): Promise<Seeded[]> {
  const kek = await createKeyRing(pool, masterKey).primary();
  const out: Seeded[] = [];
  for (let done = 0; done < n; done += batch) {
    const size = Math.min(batch, n - done);
    const guids: string[] = [];
    const wrapped: Buffer[] = [];
    const nonces: Buffer[] = [];
    const cts: Buffer[] = [];
    for (let i = 0; i < size; i++) {
      const guid = randomUUID();
      const secret = benchSecret();
      const dek = randomBytes(KEY_BYTES);
      const sealed = seal(dek, Buffer.from(JSON.stringify(secret), "utf8"), secretAad(BENCH_TENANT, guid, 1));
      wrapped.push(packSealed(seal(kek.key, dek, dekAad(BENCH_TENANT, guid, 1, kek.id))));
      dek.fill(0);
      guids.push(guid);
      nonces.push(sealed.nonce);
      cts.push(sealed.ciphertext);
      out.push({ guid, password: secret.password });
    }
    const res = await pool.query(BULK_INSERT, [BENCH_TENANT, guids, kek.id, wrapped, nonces, cts]);
    if (res.rowCount !== size) throw new Error(`bench: bulk insert wrote ${res.rowCount} of ${size} rows`);
  }
  return out;
}

/** Result of {@link timeRotation}. */
export interface RotationStats {
  /** DEKs re-wrapped by the rotation. */
  rewrapped: number;
  /** Wall time of `rotateKek()` in seconds. */
  seconds: number;
  /** DEKs per second. */
  deksPerSec: number;
  /** Rows still under another KEK afterwards (must be 0). */
  leftUnderOldKek: number;
  /** Credentials resolved and compared after the rotation. */
  verified: number;
  /** CPU share used by other programs during the rotation (see load.ts). */
  foreignCpuPct: number;
}

/** Times one full KEK rotation and verifies it. */
export async function timeRotation(
  core: Core,
  sample: Seeded[],
  pgCpuUs: () => number,
): Promise<RotationStats> {
  const t0 = performance.now();
  const [result, foreignCpuPct] = await withForeignCpu(pgCpuUs, () =>
    core.secretStore.rotateKek({ forceNew: true }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const { rows } = await core.db.secretPool.query<{ n: string }>(
    "SELECT count(*) AS n FROM secret.version WHERE kek_id <> $1",
    [result.kekId],
  );
  const leftUnderOldKek = Number(rows[0]?.n ?? -1);
  for (const s of sample) {
    const r = await core.secretStore.getCredentials(s.guid, BENCH_ACCESSOR);
    const ok = r.secret.password === s.password;
    r.release();
    if (!ok) throw new Error(`bench: credential ${s.guid} resolved to the wrong value after rotation`);
  }
  return {
    rewrapped: result.rewrapped,
    seconds,
    deksPerSec: result.rewrapped / seconds,
    leftUnderOldKek,
    verified: sample.length,
    foreignCpuPct,
  };
}

/** `k` distinct random elements of `items`. */
export function sampleOf<T>(items: T[], k: number): T[] {
  const copy = items.slice();
  for (let i = 0; i < Math.min(k, copy.length); i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, k);
}
