/**
 * The master key: the root of the key ring. It wraps KEKs (never DEKs directly), yields the
 * key check value that detects a wrong key at start, and derives the database role passwords.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { GuidvaultError } from "../errors/index.js";
import { KEY_BYTES } from "./envelope.js";

/** Where the master key came from. */
export type MasterKeySource = "env" | "file";

/** The loaded master key (32 bytes). */
export interface MasterKey {
  readonly key: Buffer;
  readonly source: MasterKeySource;
  /** Key file path when `source` is `file`. */
  readonly file?: string;
}

/**
 * Returns the master key from `GUIDVAULT_MASTER_KEY` (already parsed into `fromEnv`) or from
 * `<dataDir>/master.key`, which is created with mode 0600 on first use.
 * @throws GuidvaultError `CONFIG_INVALID` when the key file is malformed
 */
export async function loadMasterKey(fromEnv: Buffer | undefined, dataDir: string): Promise<MasterKey> {
  if (fromEnv) return { key: fromEnv, source: "env" };
  const file = path.join(dataDir, "master.key");
  await fs.mkdir(dataDir, { recursive: true });
  try {
    await fs.writeFile(file, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const key = Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64");
  if (key.length !== KEY_BYTES) {
    throw new GuidvaultError("CONFIG_INVALID", `master key file ${file} must hold base64 of 32 bytes`);
  }
  return { key, source: "file", file };
}

/** Key check value: HMAC-SHA256 (RFC 2104) of a fixed label under the master key. Reveals nothing about the key. */
export function keyCheckValue(masterKey: Buffer): Buffer {
  return createHmac("sha256", masterKey).update("guidvault master key check v1").digest();
}

/**
 * Compares the master key with the check value stored in `secret.master_key_check`, storing it
 * on first start.
 * @throws GuidvaultError `MASTER_KEY_MISMATCH` when the key differs from the one that created the data
 */
export async function checkMasterKey(
  client: pg.ClientBase,
  masterKey: Buffer,
): Promise<"created" | "matched"> {
  const kcv = keyCheckValue(masterKey);
  const inserted = await client.query(
    "INSERT INTO secret.master_key_check (id, kcv) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
    [kcv],
  );
  if (inserted.rowCount === 1) return "created";
  const { rows } = await client.query<{ kcv: Buffer }>(
    "SELECT kcv FROM secret.master_key_check WHERE id = 1",
  );
  const stored = rows[0]?.kcv;
  if (!stored || stored.length !== kcv.length || !timingSafeEqual(stored, kcv)) {
    throw new GuidvaultError(
      "MASTER_KEY_MISMATCH",
      "the master key does not match the one this secret store was created with (key check value differs); " +
        "start with the original GUIDVAULT_MASTER_KEY or key file. No data was changed.",
    );
  }
  return "matched";
}

/**
 * Password of a database role, derived with HKDF-SHA256 (RFC 5869) from the master key, so every
 * process holding the master key can log in as the role and nothing else needs distributing.
 */
export function rolePassword(masterKey: Buffer, role: string): string {
  return Buffer.from(hkdfSync("sha256", masterKey, "guidvault database role", role, 32)).toString(
    "base64url",
  );
}
