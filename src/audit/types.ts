/**
 * The audit log interface: append-only, hash-chained events. An event never holds a value;
 * it names the credential GUID and the accessor only.
 */

/** What happened. */
export const AUDIT_ACTIONS = [
  "put",
  "resolve",
  "rotate",
  "destroy",
  "deny",
  "describe",
  "test-auth",
  "kek-rotate",
] as const;
/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** An event as appended by a caller. */
export interface AuditEventInput {
  tenant: string;
  /** Credential GUID, or null for events about no credential (KEK rotation). */
  guid: string | null;
  action: AuditAction;
  /** Accessor rendered as a string: `run:<workflowId>/<runId>/<step>`, `token:<id>`, `cli:<user>`. */
  accessor: string;
  /** `ok`, `denied`, or an error code (`CREDENTIAL_NOT_FOUND`, `INTEGRITY_ERROR`...). */
  outcome: string;
}

/** A stored event: the input plus its place in the chain. `hash` is hex SHA-256 (FIPS 180-4). */
export interface AuditEvent extends AuditEventInput {
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  prevHash: string;
  hash: string;
}

/** Result of verifying the chain. */
export type AuditVerifyResult =
  | { ok: true; count: number; headSeq: number }
  | { ok: false; count: number; firstBadSeq: number; reason: string };

/** Query filter for {@link AuditLog.query}. */
export interface AuditQuery {
  tenant?: string;
  guid?: string;
  action?: AuditAction;
  /** Inclusive lower bound on `time`. */
  since?: Date;
  /** Events with seq greater than this. */
  afterSeq?: number;
  /** Maximum events returned (default 100, max 10,000). */
  limit?: number;
  /** Newest first when true (default false). */
  descending?: boolean;
}

/** The audit log. */
export interface AuditLog {
  /**
   * Appends events; resolves once they are durable (committed). Concurrent calls are
   * group-committed in one statement.
   * @throws GuidvaultError `STORE_UNAVAILABLE`
   */
  append(events: AuditEventInput | AuditEventInput[]): Promise<void>;
  /** Reads events in seq order. */
  query(q?: AuditQuery): Promise<AuditEvent[]>;
  /** Time of the last allowed resolution of each GUID (GUIDs never resolved are absent). */
  lastAccess(guids: string[]): Promise<Map<string, Date>>;
  /** Recomputes the whole chain; names the first bad seq. `onProgress` gets (checked, total). */
  verify(onProgress?: (checked: number, total: number) => void): Promise<AuditVerifyResult>;
  /** Waits for queued events and stops the writer. */
  close(): Promise<void>;
}
