/**
 * The audit hash chain: `hash = SHA-256(canonical(event))` (FIPS 180-4), where the canonical
 * form is a JSON array in fixed field order that includes `prev_hash`. The first event's
 * `prev_hash` is 64 zeros.
 */
import { createHash } from "node:crypto";
import type { AuditEvent } from "./types.js";

/** `prev_hash` of the first event. */
export const GENESIS_HASH = "0".repeat(64);

/** The canonical bytes hashed for an event (without its own `hash`). */
export function canonicalEvent(e: Omit<AuditEvent, "hash">): string {
  return JSON.stringify([e.seq, e.time, e.tenant, e.guid, e.action, e.accessor, e.outcome, e.prevHash]);
}

/** Hex SHA-256 of the canonical event. */
export function hashEvent(e: Omit<AuditEvent, "hash">): string {
  return createHash("sha256").update(canonicalEvent(e), "utf8").digest("hex");
}
