/**
 * RFC 9457 problem details: every error leaves the API as
 * `{ type, title, status, code, detail }` with `detail` passed through the secret masker.
 */
import type { FastifyError, FastifyReply } from "fastify";
import { ZodError } from "zod";
import { ERROR_CODES, type ErrorCode, GuidvaultError } from "../errors/index.js";
import { masker } from "../redact/index.js";

/** Problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extra: string]: unknown;
}

/** Base URI of problem types (documented in docs/errors.md). */
export const PROBLEM_BASE = "https://guidvault.dev/problems/";

/** Describes a zod validation failure by path and rule, never by value. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join(".") : "request"}: ${i.message}`)
    .join("; ");
}

function fromFastify(err: FastifyError): GuidvaultError | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new GuidvaultError("PAYLOAD_TOO_LARGE", "the request body is larger than the limit (64 KiB)");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new GuidvaultError("BAD_REQUEST", "the request body must be application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new GuidvaultError("BAD_REQUEST", "the request body is empty; send a JSON object");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new GuidvaultError("BAD_REQUEST", "the request body is not valid JSON");
  }
  if (err.statusCode === 400 && /JSON/i.test(err.message))
    return new GuidvaultError("BAD_REQUEST", "the request body is not valid JSON");
  if (err.statusCode === 429) return new GuidvaultError("RATE_LIMITED", "too many requests; slow down");
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new GuidvaultError("BAD_REQUEST", err.message);
  return undefined;
}

/** Converts any thrown value into a problem. Unknown errors become a generic 500 without internals. */
export function toProblem(err: unknown): Problem {
  let g: GuidvaultError;
  if (err instanceof GuidvaultError) g = err;
  else if (err instanceof ZodError) g = new GuidvaultError("BAD_REQUEST", describeZodError(err));
  else
    g =
      fromFastify(err as FastifyError) ??
      new GuidvaultError("INTERNAL", "internal error; see the server log");
  const info = ERROR_CODES[g.code];
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(g.details ?? {})) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      extra[k] = typeof v === "string" ? masker.mask(v) : v;
  }
  return {
    ...extra,
    type: `${PROBLEM_BASE}${g.code.toLowerCase().replace(/_/g, "-")}`,
    title: info.title,
    status: info.status,
    code: g.code,
    detail: masker.mask(g.message),
  };
}

/** Sends a problem with `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type("application/problem+json").send(problem);
}
