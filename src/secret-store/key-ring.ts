/**
 * The key ring: KEKs stored in `secret.kek`, each wrapped by the master key (AES-256-GCM, AAD
 * binds the KEK id). Exactly one KEK is primary; new DEKs are wrapped by it.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "../db/client.js";
import { GuidvaultError } from "../errors/index.js";
import { KEY_BYTES, kekAad, open, packSealed, seal, unpackSealed } from "./envelope.js";

/** One unwrapped KEK held in memory. */
export interface Kek {
  readonly id: string;
  readonly key: Buffer;
}

/** KEK cache over `secret.kek`. */
export interface KeyRing {
  /** The primary KEK (loads the ring, creating the first KEK on first use). */
  primary(): Promise<Kek>;
  /** A KEK by id, reloading the ring when another process added it. @throws `INTEGRITY_ERROR` if unknown */
  get(id: string): Promise<Kek>;
  /** Creates a new KEK and makes it primary, in one transaction. */
  createPrimary(client: pg.ClientBase): Promise<Kek>;
  /** Forgets the cache so the next call reloads (another process rotated). */
  invalidate(): void;
}

const FIRST_KEK_LOCK = 0x67760001; // advisory lock id: creating the first KEK

function newKekId(): string {
  return `kek-${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, "")
    .slice(0, 14)}-${randomBytes(4).toString("hex")}`;
}

/** Creates a key ring over `pool` (secret role) rooted in `masterKey` (32 bytes). */
export function createKeyRing(pool: pg.Pool, masterKey: Buffer): KeyRing {
  let keks = new Map<string, Kek>();
  let primaryId: string | undefined;
  let loading: Promise<void> | undefined;

  const unwrap = (id: string, wrapped: Buffer): Kek => ({
    id,
    key: open(masterKey, unpackSealed(wrapped), kekAad(id), `KEK ${id}`),
  });

  async function insertPrimary(client: pg.ClientBase): Promise<Kek> {
    const id = newKekId();
    const key = randomBytes(KEY_BYTES);
    const wrapped = packSealed(seal(masterKey, key, kekAad(id)));
    await client.query("UPDATE secret.kek SET is_primary = false WHERE is_primary");
    await client.query("INSERT INTO secret.kek (id, wrapped, is_primary) VALUES ($1, $2, true)", [
      id,
      wrapped,
    ]);
    return { id, key };
  }

  async function load(): Promise<void> {
    const read = async (c: pg.Pool | pg.ClientBase) =>
      (
        await c.query<{ id: string; wrapped: Buffer; is_primary: boolean }>(
          "SELECT id, wrapped, is_primary FROM secret.kek",
        )
      ).rows;
    let rows = await read(pool);
    if (!rows.some((r) => r.is_primary)) {
      rows = await withTransaction(pool, "secret store", async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1)", [FIRST_KEK_LOCK]);
        if (!(await read(client)).some((r) => r.is_primary)) await insertPrimary(client);
        return read(client);
      });
    }
    const next = new Map<string, Kek>();
    for (const r of rows) next.set(r.id, keks.get(r.id) ?? unwrap(r.id, r.wrapped));
    keks = next;
    primaryId = rows.find((r) => r.is_primary)?.id;
  }

  const ensure = async (force = false) => {
    if (!force && primaryId) return;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    await loading;
  };

  return {
    async primary() {
      await ensure();
      const k = primaryId ? keks.get(primaryId) : undefined;
      if (!k) throw new GuidvaultError("INTEGRITY_ERROR", "the key ring has no primary KEK");
      return k;
    },
    async get(id) {
      await ensure();
      let k = keks.get(id);
      if (!k) {
        await ensure(true);
        k = keks.get(id);
      }
      if (!k) throw new GuidvaultError("INTEGRITY_ERROR", `KEK ${id} is not in the key ring`);
      return k;
    },
    async createPrimary(client) {
      const k = await insertPrimary(client);
      primaryId = undefined;
      return k;
    },
    invalidate() {
      primaryId = undefined;
    },
  };
}
