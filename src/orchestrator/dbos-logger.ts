/**
 * Routes DBOS's own log output through guidvault's masked pino logger, so what the engine
 * prints about a failure (message, stack) is masked too (case 009).
 */
import type { Logger } from "../log/logger.js";
import { maskError } from "../redact/index.js";

/** DBOS `DLogger` contract (subset used). */
export interface DbosLogSink {
  info(entry: unknown, metadata?: unknown): void;
  debug(entry: unknown, metadata?: unknown): void;
  warn(entry: unknown, metadata?: unknown): void;
  error(entry: unknown, metadata?: unknown): void;
}

function text(entry: unknown): string {
  if (entry instanceof Error) return maskError(entry).message;
  return typeof entry === "string" ? entry : JSON.stringify(entry);
}

/** Creates a DBOS logger that writes to `logger` (component `dbos`). */
export function createDbosLogger(logger: Logger): DbosLogSink {
  const l = logger.child({ component: "dbos" });
  return {
    info: (e) => l.debug(text(e)), // DBOS narrates start-up at info; keep it out of the default log
    debug: (e) => l.debug(text(e)),
    warn: (e) => l.warn(text(e)),
    error: (e) =>
      e instanceof Error ? l.error({ err: maskError(e) }, maskError(e).message) : l.error(text(e)),
  };
}
