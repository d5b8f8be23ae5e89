/**
 * The process logger: pino, with every line passed through the secret masker.
 *
 * Three layers, so that no single mistake leaks a secret (docs/redaction.md):
 * 1. `hooks.logMethod` masks the message and format arguments before pino interpolates them;
 * 2. `formatters.log` serializes errors and requests, then applies `masker.maskDeep` (registered
 *    values and key-based redaction at any depth); child bindings go through the same;
 * 3. `hooks.streamWrite` masks the final JSON line, which catches the JSON-escaped copies that
 *    only exist after serialization (a secret inside a string that was itself JSON).
 */

import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";
import { GuidvaultError } from "../errors/index.js";
import { MASK, masker } from "../redact/index.js";

/** The guidvault logger (a pino logger whose output is always masked). */
export type Logger = PinoLogger;

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Minimum level written: `fatal`, `error`, `warn`, `info` (default), `debug`, `trace` or `silent`. */
  level?: string;
  /** Where lines go (one JSON object per line); default: standard output. */
  destination?: DestinationStream;
}

/** Request headers whose values are never logged, whatever the key-based list says (case 010). */
const ALWAYS_REDACTED_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie"]);

interface ErrorLike {
  message: string;
  [key: string]: unknown;
}

function isErrorLike(v: unknown): v is ErrorLike {
  return (
    v instanceof Error ||
    (typeof v === "object" && v !== null && typeof (v as ErrorLike).message === "string")
  );
}

/**
 * Plain-object form of an error: `type`, `message`, `stack`, own enumerable properties (`code`,
 * SQLSTATE fields...), then `cause` and `errors` recursively. Values are masked afterwards by
 * `maskDeep`. Nothing is read through a getter that might throw without a guard.
 */
function serializeError(err: ErrorLike, seen: Set<object> = new Set()): Record<string, unknown> {
  seen.add(err);
  const out: Record<string, unknown> = {
    type: err.constructor?.name ?? err.name,
    message: err.message,
    stack: err.stack,
  };
  for (const key of Object.keys(err)) {
    if (key === "cause" || key === "errors" || key in out) continue;
    try {
      out[key] = err[key];
    } catch {
      out[key] = "[Unreadable]";
    }
  }
  const { cause, errors } = err;
  if (cause !== undefined) {
    out.cause = isErrorLike(cause) ? (seen.has(cause) ? "[Circular]" : serializeError(cause, seen)) : cause;
  }
  if (Array.isArray(errors)) {
    out.errors = errors.map((e: unknown) =>
      isErrorLike(e) ? (seen.has(e) ? "[Circular]" : serializeError(e, seen)) : e,
    );
  }
  return out;
}

interface RequestLike {
  method: string;
  url: string;
  headers?: unknown;
  ip?: unknown;
  id?: unknown;
  socket?: { remoteAddress?: unknown; remotePort?: unknown } | null;
}

function isRequestLike(v: unknown): v is RequestLike {
  const r = v as RequestLike | null;
  return typeof r === "object" && r !== null && typeof r.method === "string" && typeof r.url === "string";
}

/**
 * What a logged request shows: method, url, id, remote address and headers, with the
 * authorization and cookie headers always replaced. The body is never logged (it may carry
 * credentials being stored).
 */
function serializeRequest(req: RequestLike): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  if (typeof req.headers === "object" && req.headers !== null) {
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = ALWAYS_REDACTED_HEADERS.has(name.toLowerCase()) ? MASK : value;
    }
  }
  return {
    id: req.id,
    method: req.method,
    url: req.url,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
    headers,
  };
}

/** Serializes errors and requests among the top-level fields, then masks everything. */
function formatLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (isErrorLike(value)) out[key] = serializeError(value);
    else if ((key === "req" || key === "request") && isRequestLike(value)) out[key] = serializeRequest(value);
    else if ((key === "res" || key === "reply") && typeof value === "object" && value !== null) {
      out[key] = { statusCode: (value as { statusCode?: unknown }).statusCode };
    } else out[key] = value;
  }
  return masker.maskDeep(out);
}

/**
 * Masks what pino would otherwise take as is: string arguments (message, `%s` values), object
 * format arguments (`%j`, `%o`), and the message pino derives from a logged error.
 */
function maskArgs(args: unknown[]): unknown[] {
  const out = args.map((a, i) => {
    if (typeof a === "string") return masker.mask(a);
    return i > 0 && typeof a === "object" && a !== null ? masker.maskDeep(a) : a;
  });
  const [first] = out;
  if (out.length === 1 && typeof first === "object" && first !== null) {
    const err = first instanceof Error ? first : (first as { err?: unknown; msg?: unknown }).err;
    if (isErrorLike(err) && (first as { msg?: unknown }).msg === undefined)
      out.push(masker.mask(err.message));
  }
  return out;
}

/**
 * Creates a pino logger whose every line passes through the process-wide secret masker: the
 * message, the merged object (key-based redaction at any depth), errors (message, stack, cause
 * chain, `AggregateError.errors`), child bindings and the final JSON line. Logged requests keep
 * method, url and headers, with `Authorization` and `Cookie` always replaced by `[MASKED]`.
 * Timestamps are ISO 8601 (`time`).
 *
 * @throws GuidvaultError `CONFIG_INVALID` when `level` is not a pino level
 * @example
 * const log = createLogger({ level: "debug" });
 * log.info({ guid }, "credential stored");
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const level = opts.level ?? "info";
  if (level !== "silent" && pino.levels.values[level] === undefined) {
    throw new GuidvaultError("CONFIG_INVALID", `unknown log level "${level}"`);
  }
  const options: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors are serialized (and masked) by formatters.log; pino's default would re-wrap them.
    serializers: { err: (value: unknown) => value },
    formatters: {
      bindings: (bindings) => masker.maskDeep(bindings),
      log: (obj) => formatLogObject(obj),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, maskArgs(args) as Parameters<typeof method>);
      },
      streamWrite: (line) => masker.mask(line),
    },
  };
  const logger = opts.destination === undefined ? pino(options) : pino(options, opts.destination);
  // pino does not pass child bindings through formatters.bindings; children inherit this override
  // through their prototype, so grandchildren are covered too.
  const originalChild = logger.child;
  logger.child = function maskedChild(this: Logger, bindings, options) {
    return originalChild.call(this, masker.maskDeep(bindings), options);
  } as Logger["child"];
  const originalSetBindings = logger.setBindings;
  logger.setBindings = function maskedSetBindings(this: Logger, bindings) {
    originalSetBindings.call(this, masker.maskDeep(bindings));
  };
  return logger;
}
