/**
 * Every error guidvault raises, each with a stable `code`, an HTTP status and an optional `cause`.
 *
 * Codes are documented in docs/errors.md; a test fails when a code here is missing there.
 * Codes are added, never renamed (DESIGN.md "Errors").
 */

/** Static description of one error code. */
export interface ErrorCodeInfo {
  /** HTTP status the API answers with (RFC 9110 semantics). */
  readonly status: number;
  /** Short human title used as the RFC 9457 problem `title`. */
  readonly title: string;
  /** Whether a workflow activity may retry the operation that raised it. */
  readonly retryable: boolean;
}

/** All error codes with their HTTP status, title and retryability. */
export const ERROR_CODES = {
  CREDENTIAL_NOT_FOUND: { status: 404, title: "Credential not found", retryable: false },
  CREDENTIAL_INVALID: { status: 422, title: "Credential invalid", retryable: false },
  ACCESS_DENIED: { status: 403, title: "Access denied", retryable: false },
  UNAUTHENTICATED: { status: 401, title: "Unauthenticated", retryable: false },
  INTEGRITY_ERROR: { status: 500, title: "Integrity check failed", retryable: false },
  MASTER_KEY_MISMATCH: { status: 500, title: "Master key does not match this database", retryable: false },
  WORKFLOW_NOT_FOUND: { status: 404, title: "Workflow not found", retryable: false },
  RUN_NOT_FOUND: { status: 404, title: "Run not found", retryable: false },
  CONFIG_INVALID: { status: 422, title: "Configuration invalid", retryable: false },
  STORE_UNAVAILABLE: { status: 503, title: "Store unavailable", retryable: true },
  CONFLICT: { status: 409, title: "Conflict", retryable: false },
  INVALID_ID: { status: 400, title: "Invalid identifier", retryable: false },
  BAD_REQUEST: { status: 400, title: "Bad request", retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large", retryable: false },
  RATE_LIMITED: { status: 429, title: "Too many requests", retryable: true },
  NOT_FOUND: { status: 404, title: "Not found", retryable: false },
  AUTH_FAILED: { status: 422, title: "Authentication to the external system failed", retryable: false },
  EXTERNAL_UNAVAILABLE: { status: 502, title: "External system unreachable", retryable: true },
  INTERNAL: { status: 500, title: "Internal error", retryable: false },
} as const satisfies Record<string, ErrorCodeInfo>;

/** One of the stable error code strings. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options accepted by {@link GuidvaultError}. */
export interface GuidvaultErrorOptions {
  /** The underlying error; its text is masked before it leaves the process. */
  cause?: unknown;
  /** Extra non-secret fields for problem+json (for example `{ guid }`). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every guidvault error.
 *
 * @example
 * throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`);
 */
export class GuidvaultError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status for this code. */
  readonly status: number;
  /** Whether a workflow activity may retry. */
  readonly retryable: boolean;
  /** Extra non-secret fields. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: GuidvaultErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GuidvaultError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryable = ERROR_CODES[code].retryable;
    this.details = options.details;
  }
}

/** True when `err` is a {@link GuidvaultError}, optionally with the given code. */
export function isGuidvaultError(err: unknown, code?: ErrorCode): err is GuidvaultError {
  return err instanceof GuidvaultError && (code === undefined || err.code === code);
}

/** PostgreSQL SQLSTATE classes that mean "the server is not reachable or not accepting work". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
/** Socket errno codes (Node.js `err.code`) that mean the peer could not be reached or dropped the connection. */
export const NETWORK_ERRNO: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EADDRNOTAVAIL",
]);
/** DNS lookup errno codes (Node.js `err.code`). */
export const DNS_ERRNO: ReadonlySet<string> = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL"]);

/**
 * Converts a database driver error into `STORE_UNAVAILABLE` when it is a connectivity failure
 * (SQLSTATE classes 08, 53, 57P01-57P03 per PostgreSQL docs, Appendix A, or a socket errno);
 * other errors are returned unchanged. Never swallows an error.
 *
 * @param store which store failed, for the message (`secret store`, `state store`, `audit log`)
 */
export function mapStoreError(err: unknown, store: string): unknown {
  if (err instanceof GuidvaultError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const msg = typeof e?.message === "string" ? e.message : "";
  if (
    UNAVAILABLE_SQLSTATE.test(code) ||
    NETWORK_ERRNO.has(code) ||
    DNS_ERRNO.has(code) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      msg,
    )
  ) {
    return new GuidvaultError("STORE_UNAVAILABLE", `${store} unavailable: ${code || "connection failed"}`, {
      cause: err,
    });
  }
  return err;
}
