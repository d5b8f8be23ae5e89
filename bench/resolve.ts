/**
 * Resolution benchmark: `getCredentials` with audit on, against its floor, a bare `pg` point
 * SELECT of the same row (same join, same columns, same role, same pool size) followed by the
 * AES-256-GCM unwrap of the DEK and decrypt of the secret half. No audit, no policy, no masker.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { Core } from "../src/compose.js";
import { dekAad, open, secretAad, unpackSealed } from "../src/secret-store/envelope.js";
import { createKeyRing } from "../src/secret-store/key-ring.js";
import type { Accessor } from "../src/secret-store/types.js";

/** Tenant of every bench credential. */
export const BENCH_TENANT = "bench";
/** The accessor of every bench resolve (operators pass the default access policy). */
export const BENCH_ACCESSOR: Accessor = { kind: "operator", tenant: BENCH_TENANT, principal: "bench" };

/** A credential put by the bench and the password it holds. */
export interface Seeded {
  guid: string;
  password: string;
}

/** A typical basic-auth secret half (about 100 bytes of JSON). */
export function benchSecret(): { username: string; password: string; extra: { sslmode: string } } {
  return {
    username: `svc_${randomBytes(4).toString("hex")}`,
    password: randomBytes(18).toString("base64url"),
    extra: { sslmode: "verify-full" },
  };
}

/** Puts `n` credentials through the store (the real write path), `concurrency` at a time. */
export async function seedCredentials(core: Core, n: number, concurrency = 32): Promise<Seeded[]> {
  const out: Seeded[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const secret = benchSecret();
      const { guid } = await core.secretStore.put(BENCH_TENANT, secret);
      out.push({ guid, password: secret.password });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Throws unless every seeded credential resolves to its own password through both paths. */
export async function checkResolve(
  core: Core,
  floor: (guid: string) => Promise<Buffer>,
  sample: Seeded[],
): Promise<void> {
  for (const s of sample) {
    const r = await core.secretStore.getCredentials(s.guid, BENCH_ACCESSOR);
    const ok = r.secret.password === s.password;
    r.release();
    const viaFloor = JSON.parse((await floor(s.guid)).toString("utf8")) as { password?: string };
    if (!ok || viaFloor.password !== s.password)
      throw new Error(`bench: credential ${s.guid} did not round-trip`);
  }
}

/** The store's resolve: one `getCredentials` (audited), then release of the masker registration. */
export function resolveOp(core: Core, seeded: Seeded[]): () => Promise<void> {
  return async () => {
    const s = seeded[Math.floor(Math.random() * seeded.length)] as Seeded;
    const r = await core.secretStore.getCredentials(s.guid, BENCH_ACCESSOR);
    r.release();
  };
}

type VersionRow = {
  tenant: string;
  version: number;
  kek_id: string;
  wrapped_dek: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
};

/**
 * The same SELECT text the PostgreSQL secret store runs (src/secret-store/backends/postgres.ts):
 * a primary-key lookup returning the tenant, which is compared in code.
 */
const POINT_SELECT = `SELECT c.tenant, v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext
             FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version
            WHERE c.guid = $1 AND c.destroyed_at IS NULL`;

/**
 * The floor: point SELECT on `pool` (logged in as the secret role) plus unwrap and decrypt.
 * Returns the plaintext so the bench can check it once; the timed loop drops it.
 */
export function floorResolver(
  pool: pg.Pool,
  masterKey: Buffer,
  opts: { prepared: boolean },
): (guid: string) => Promise<Buffer> {
  const ring = createKeyRing(pool, masterKey);
  return async (guid) => {
    // The floor is a bare `pg` SELECT (unnamed statement, planned on every call); the
    // prepared variant gives the floor the statement preparation the store uses.
    const { rows } = await pool.query<VersionRow>(
      opts.prepared
        ? { name: "floor_point_select", text: POINT_SELECT, values: [guid] }
        : { text: POINT_SELECT, values: [guid] },
    );
    const row = rows[0];
    if (!row || row.tenant !== BENCH_TENANT) throw new Error(`bench floor: credential ${guid} not found`);
    const kek = await ring.get(row.kek_id);
    const what = `credential ${guid}`;
    const dek = open(
      kek.key,
      unpackSealed(row.wrapped_dek),
      dekAad(BENCH_TENANT, guid, row.version, kek.id),
      what,
    );
    const plain = open(
      dek,
      { nonce: row.nonce, ciphertext: row.ciphertext },
      secretAad(BENCH_TENANT, guid, row.version),
      what,
    );
    dek.fill(0);
    return plain;
  };
}

/** The floor as a timed operation over random picks. */
export function floorOp(floor: (guid: string) => Promise<Buffer>, seeded: Seeded[]): () => Promise<void> {
  return async () => {
    const s = seeded[Math.floor(Math.random() * seeded.length)] as Seeded;
    (await floor(s.guid)).fill(0);
  };
}
