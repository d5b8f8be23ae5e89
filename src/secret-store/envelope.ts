/**
 * The encryption envelope: AES-256-GCM (NIST SP 800-38D) from node:crypto with a random 96-bit
 * nonce per encryption and additional authenticated data (AAD) binding where the bytes belong.
 * See ./DESIGN.md for what each AAD binds.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { GuidvaultError } from "../errors/index.js";

/** Key length in bytes (256 bits). */
export const KEY_BYTES = 32;
/** GCM nonce length in bytes (96 bits, SP 800-38D section 5.2.1.1). */
export const NONCE_BYTES = 12;
/** GCM tag length in bytes (128 bits). */
export const TAG_BYTES = 16;

/** Ciphertext with its nonce; `ciphertext` ends with the 16-byte tag. */
export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
}

/**
 * Encrypts `plaintext` under `key` (32 bytes) with a fresh random nonce, authenticating `aad`.
 * @throws RangeError when the key is not 32 bytes
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  if (key.length !== KEY_BYTES) throw new RangeError("AES-256-GCM key must be 32 bytes");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return { nonce, ciphertext: Buffer.concat([body, final, cipher.getAuthTag()]) };
}

/**
 * Decrypts and authenticates. Any mismatch (edited byte, wrong key, bytes moved to another
 * GUID or version) is reported the same way.
 * @param what names the object for the error message (no value), e.g. `credential <guid> v2`
 * @throws GuidvaultError `INTEGRITY_ERROR` when authentication fails
 */
export function open(key: Buffer, sealed: Sealed, aad: Buffer, what: string): Buffer {
  try {
    if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES)
      throw new Error("malformed");
    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new GuidvaultError(
      "INTEGRITY_ERROR",
      `${what}: ciphertext failed authentication (tampered, moved to another credential, or wrapped by another key)`,
      { cause: err instanceof Error ? new Error(err.message) : undefined },
    );
  }
}

/** Packs a sealed DEK into one column: nonce (12) | ciphertext+tag. */
export function packSealed(s: Sealed): Buffer {
  return Buffer.concat([s.nonce, s.ciphertext]);
}

/** Inverse of {@link packSealed}. */
export function unpackSealed(b: Buffer): Sealed {
  return { nonce: b.subarray(0, NONCE_BYTES), ciphertext: b.subarray(NONCE_BYTES) };
}

/** AAD of a secret half: binds tenant, GUID and version. */
export function secretAad(tenant: string, guid: string, version: number): Buffer {
  return Buffer.from(`guidvault:secret:v1|${tenant}|${guid}|${version}`, "utf8");
}

/** AAD of a wrapped DEK: binds tenant, GUID, version and the wrapping KEK id. */
export function dekAad(tenant: string, guid: string, version: number, kekId: string): Buffer {
  return Buffer.from(`guidvault:dek:v1|${tenant}|${guid}|${version}|${kekId}`, "utf8");
}

/** AAD of a KEK wrapped by the master key: binds the KEK id. */
export function kekAad(kekId: string): Buffer {
  return Buffer.from(`guidvault:kek:v1|${kekId}`, "utf8");
}
