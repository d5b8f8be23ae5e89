/**
 * What every CLI command gets: the standard streams, the configuration (parsed once by
 * `loadConfig()`), and {@link CliContext.withCore}, which opens the core and always closes it, so
 * an embedded PostgreSQL started by this command is stopped again.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Core, createCore } from "../compose.js";
import { type Config, loadConfig } from "../config/env.js";
import { createLogger } from "../log/logger.js";
import { masker } from "../redact/index.js";
import type { Accessor, Tenant } from "../secret-store/types.js";

/** The streams a CLI run reads and writes. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Shared state of one CLI run. */
export interface CliContext {
  readonly io: CliIo;
  /** The configuration; parsed on first call. @throws GuidvaultError `CONFIG_INVALID` */
  config(): Config;
  /** True when errors should show their (masked) stack: log level `debug` or `trace`. */
  debug(): boolean;
  /** Writes masked text to stdout, waiting when the pipe is full; a no-op once the reader has gone (EPIPE). */
  out(text: string): Promise<void>;
  /** Writes masked text to stderr (warnings, notices). */
  err(text: string): void;
  /** True once stdout's reader closed the pipe (e.g. `guidvault audit export | head`). */
  stdoutClosed(): boolean;
  /** Opens the core, runs `fn`, and closes the core whatever happens. */
  withCore<T>(fn: (core: Core) => Promise<T>): Promise<T>;
  /** The accessor the CLI acts as in `tenant`: `operator:cli:<os user>`. */
  operator(tenant: Tenant): Accessor;
  /**
   * Registers every string inside `value` with the masker until {@link CliContext.dispose}, i.e.
   * until after the final error message was printed.
   */
  holdSecret(value: unknown): void;
  /** Exit code the run ends with when no error is thrown (a failed check sets 1). */
  exitCode: number;
  /** Releases what {@link CliContext.holdSecret} registered. */
  dispose(): void;
}

/** Every string inside a JSON-like value. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

function osUser(): string {
  try {
    return os.userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Registers the master key with the masker, so no error or log line can print it. (Database URL
 * passwords are masked by shape instead: registering a password such as `postgres` would mask
 * that word everywhere and so reveal it, case 008.)
 */
function registerConfigSecrets(config: Config): Array<() => void> {
  return config.masterKey ? [masker.register(config.masterKey.toString("base64"))] : [];
}

/** How long closing the core (audit flush, pools, stopping an embedded server) may take. */
const CLOSE_TIMEOUT_MS = 30_000;

/**
 * Resolves once the embedded PostgreSQL this process started has exited (its `postmaster.pid`
 * is gone), e.g. because Ctrl-C in the terminal reached it too. Never resolves otherwise.
 */
async function serverGone(core: Core, done: { value: boolean }): Promise<"gone"> {
  const pg = core.db.embedded;
  if (!pg?.startedHere) return new Promise(() => {});
  const pidFile = path.join(pg.clusterDir, "postmaster.pid");
  while (!done.value) {
    try {
      await fs.access(pidFile);
    } catch {
      return "gone";
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return new Promise(() => {});
}

/**
 * Closes the core. Does not wait for a server that has already exited (stopping it would wait
 * for an exit event that already happened), and gives up with a warning after
 * {@link CLOSE_TIMEOUT_MS} rather than hang.
 */
async function closeCore(core: Core, ctx: CliContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const done = { value: false };
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CLOSE_TIMEOUT_MS);
  });
  try {
    const closing = core.close().then(() => "closed" as const);
    closing.catch(() => {}); // may reject after the race is decided
    if ((await Promise.race([closing, serverGone(core, done), timeout])) === "timeout") {
      ctx.err("warning: closing the database connections took too long; exiting anyway\n");
    }
  } finally {
    done.value = true;
    clearTimeout(timer);
  }
}

/**
 * Creates the context of one CLI run over `io`.
 * @param env the environment to parse (default `process.env`, whose secret variables
 *   `loadConfig` then removes so child processes never inherit them)
 */
export function createCliContext(io: CliIo, env: NodeJS.ProcessEnv = process.env): CliContext {
  let config: Config | undefined;
  let closed = false;
  const releases: Array<() => void> = [];
  // EPIPE (the reader went away) or any other write failure: stop writing, keep going quietly.
  io.stdout.on("error", () => {
    closed = true;
  });

  const ctx: CliContext = {
    io,
    config() {
      if (!config) {
        config = loadConfig(env);
        releases.push(...registerConfigSecrets(config));
      }
      return config;
    },
    debug() {
      return config?.logLevel === "debug" || config?.logLevel === "trace";
    },
    async out(text) {
      if (closed) return;
      const ok = io.stdout.write(masker.mask(text));
      if (ok || closed) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          io.stdout.off("drain", done);
          io.stdout.off("close", done);
          io.stdout.off("error", done);
          resolve();
        };
        io.stdout.on("drain", done);
        io.stdout.on("close", done);
        io.stdout.on("error", done);
      });
    },
    err(text) {
      io.stderr.write(masker.mask(text));
    },
    stdoutClosed: () => closed,
    async withCore<R>(fn: (core: Core) => Promise<R>): Promise<R> {
      const cfg = ctx.config();
      // Log lines go to stderr: stdout carries only command output (a GUID, a table, JSONL).
      const logger = createLogger({ level: cfg.logLevel, destination: io.stderr });
      const core = await createCore(cfg, { logger, poolSize: 8 });
      let result: R;
      try {
        result = await fn(core);
      } catch (err) {
        await closeCore(core, ctx).catch(() => {});
        throw err;
      }
      await closeCore(core, ctx);
      return result;
    },
    operator(tenant) {
      return { kind: "operator", tenant, principal: `cli:${osUser()}` };
    },
    holdSecret(value) {
      for (const s of stringsOf(value)) releases.push(masker.register(s));
    },
    exitCode: 0,
    dispose() {
      for (const release of releases.splice(0)) release();
    },
  };
  return ctx;
}
