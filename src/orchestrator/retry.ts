/**
 * Retry decisions at the activity boundary: not-found, denied and authentication failures are
 * terminal; outages (our stores or the external system) are retried with backoff.
 */
import { DNS_ERRNO, GuidvaultError, isGuidvaultError, NETWORK_ERRNO } from "../errors/index.js";
import { masker, scrubError } from "../redact/index.js";

/** Finds the first GuidvaultError in an error, its `cause` chain, or an AggregateError's `errors`. */
export function findGuidvaultError(err: unknown, depth = 0): GuidvaultError | undefined {
  if (depth > 8 || !err || typeof err !== "object") return undefined;
  if (err instanceof GuidvaultError) return err;
  const e = err as { cause?: unknown; errors?: unknown[] };
  for (const inner of [...(Array.isArray(e.errors) ? [...e.errors].reverse() : []), e.cause]) {
    const found = findGuidvaultError(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Turns whatever an activity threw into a masked GuidvaultError with a stable code: app errors
 * keep their code; PostgreSQL authentication failures (SQLSTATE class 28) become `AUTH_FAILED`;
 * network errors become `EXTERNAL_UNAVAILABLE`; anything else `INTERNAL`. The message, stack
 * and cause chain are masked in place, so what the engine persists holds no secret (case 009).
 */
export function toActivityError(err: unknown): GuidvaultError {
  const found = findGuidvaultError(err);
  let out: GuidvaultError;
  if (found) {
    out = found;
  } else {
    const e = (err ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof e.code === "string" ? e.code : "";
    const message = masker.mask(typeof e.message === "string" ? e.message : String(err));
    if (/^28/.test(code)) out = new GuidvaultError("AUTH_FAILED", message);
    else if (NETWORK_ERRNO.has(code) || DNS_ERRNO.has(code) || /^08/.test(code))
      out = new GuidvaultError("EXTERNAL_UNAVAILABLE", message);
    else out = new GuidvaultError("INTERNAL", message);
  }
  scrubError(err);
  scrubError(out);
  // Drop the original cause: the engine serialises the whole chain.
  Object.defineProperty(out, "cause", { value: undefined, enumerable: false, configurable: true });
  return out;
}

/** True when an activity error may be retried. */
export function isRetryable(err: unknown): boolean {
  const g = findGuidvaultError(err);
  return g ? g.retryable : false;
}

/** True when `err` is (or wraps) a GuidvaultError with `code`. */
export function hasCode(err: unknown, code: GuidvaultError["code"]): boolean {
  return isGuidvaultError(findGuidvaultError(err), code);
}
