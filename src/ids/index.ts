/**
 * Identifier patterns, checked before any lookup (case 005). Documented in docs/api.md.
 * - credential GUID, workflow id, run id: a lower- or upper-case UUID (RFC 9562), normalised to lower case
 * - tenant: 1-63 characters `[a-z0-9][a-z0-9_-]*`
 */
import { GuidvaultError } from "../errors/index.js";

/** UUID in canonical 8-4-4-4-12 hex form. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Tenant names. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function printable(value: unknown): string {
  const s = typeof value === "string" ? value : typeof value;
  const shown = s.length > 40 ? `${s.slice(0, 40)}... (${s.length} characters)` : s;
  return JSON.stringify(shown).replace(/[^\x20-\x7e]/g, "?");
}

/**
 * Returns the id in lower case when it is a UUID.
 * @param kind what the id names, for the message (`credential GUID`, `workflow id`, `run id`)
 * @throws GuidvaultError `INVALID_ID`
 */
export function parseUuid(value: unknown, kind: string): string {
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (UUID_PATTERN.test(v)) return v;
  }
  throw new GuidvaultError(
    "INVALID_ID",
    `${kind} ${printable(value)} is not a UUID (expected 8-4-4-4-12 hex digits)`,
  );
}

/** @throws GuidvaultError `INVALID_ID` when `value` is not a valid tenant name */
export function parseTenant(value: unknown): string {
  if (typeof value === "string" && TENANT_PATTERN.test(value)) return value;
  throw new GuidvaultError(
    "INVALID_ID",
    `tenant ${printable(value)} is invalid (1-63 characters: lower-case letters, digits, '_' and '-', starting with a letter or digit)`,
  );
}
