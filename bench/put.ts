/**
 * Durable write benchmark: `put` (each call committed, and its audit event committed, before it
 * returns) against its floor, a bare single-row INSERT of a row shaped like a secret version
 * into a bench table on the same server, committed on its own (autocommit).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import type { Core } from "../src/compose.js";
import { BENCH_TENANT, benchSecret } from "./resolve.js";

/** Creates the floor table (superuser, schema `bench`, same server and database as the store). */
export async function createPutFloorTable(admin: pg.Pool): Promise<void> {
  await admin.query(`
    CREATE SCHEMA IF NOT EXISTS bench;
    CREATE TABLE IF NOT EXISTS bench.put_floor (
      guid uuid PRIMARY KEY,
      tenant text NOT NULL,
      version int NOT NULL,
      kek_id text NOT NULL,
      wrapped_dek bytea NOT NULL,
      nonce bytea NOT NULL,
      ciphertext bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
}

/** One `put` through the store. */
export function putOp(core: Core): () => Promise<void> {
  return async () => {
    await core.secretStore.put(BENCH_TENANT, benchSecret());
  };
}

const FLOOR_INSERT = `INSERT INTO bench.put_floor (guid, tenant, version, kek_id, wrapped_dek, nonce, ciphertext)
VALUES ($1, $2, 1, $3, $4, $5, $6)`;

/**
 * The floor: one autocommitted INSERT of a row with the sizes of a real version row (wrapped DEK
 * 60 bytes, nonce 12, ciphertext about 100).
 */
export function putFloorOp(pool: pg.Pool): () => Promise<void> {
  return async () => {
    // A bare single-row INSERT as `pg` sends it by default, one durable commit per call.
    await pool.query(FLOOR_INSERT, [
      randomUUID(),
      BENCH_TENANT,
      "kek-bench",
      randomBytes(60),
      randomBytes(12),
      randomBytes(100),
    ]);
  };
}
