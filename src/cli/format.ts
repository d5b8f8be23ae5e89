/**
 * Plain-text rendering for the CLI: aligned tables and key/value blocks. Values shown here are
 * metadata only (GUIDs, versions, KEK ids, times); secret values never reach this module.
 */
import type { AuditEvent } from "../audit/types.js";
import type { CredentialMetadata } from "../secret-store/types.js";

/** Renders rows as columns separated by two spaces, the first row being the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** Renders `[key, value]` pairs as an aligned block. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join("");
}

const iso = (d: Date | null) => (d ? d.toISOString() : "never");

/** JSON-ready form of credential metadata (dates as ISO 8601 strings). */
export function metadataJson(m: CredentialMetadata): Record<string, unknown> {
  return {
    guid: m.guid,
    tenant: m.tenant,
    version: m.version,
    versions: m.versions,
    kekId: m.kekId,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    lastAccessAt: m.lastAccessAt ? m.lastAccessAt.toISOString() : null,
  };
}

/** `credentials describe` text. */
export function describeText(m: CredentialMetadata): string {
  return keyValues([
    ["guid", m.guid],
    ["tenant", m.tenant],
    ["version", String(m.version)],
    ["versions", `${m.versions} holding key material`],
    ["kek", m.kekId],
    ["created", iso(m.createdAt)],
    ["updated", iso(m.updatedAt)],
    ["last access", iso(m.lastAccessAt)],
  ]);
}

/** `credentials list` text. */
export function listText(items: readonly CredentialMetadata[]): string {
  return table([
    ["GUID", "VERSION", "KEK", "CREATED", "LAST ACCESS"],
    ...items.map((m) => [m.guid, String(m.version), m.kekId, iso(m.createdAt), iso(m.lastAccessAt)]),
  ]);
}

/** One `audit tail` line: seq, time, action, outcome, tenant, GUID, accessor. */
export function auditLine(e: AuditEvent): string {
  return `${String(e.seq).padStart(6)}  ${e.time}  ${e.action.padEnd(10)}  ${e.outcome.padEnd(20)}  ${e.tenant}  ${
    e.guid ?? "-"
  }  ${e.accessor}\n`;
}
