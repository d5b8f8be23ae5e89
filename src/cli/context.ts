/**
 * What every CLI command gets: the standard streams, the configuration (parsed once by
 * `loadConfig()`), and {@link CliContext.withCore}, which opens the core and always closes it, so
 * an embedded PostgreSQL started by this command is stopped again.
 */
import os from "node:os";
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
  /** Writes to stdout, waiting when the pipe is full; a no-op once the reader has gone (EPIPE). */
  out(text: string): Promise<void>;
  /** Writes to stderr (progress, warnings, prompts). */
  err(text: string): void;
  /** True once stdout's reader closed the pipe (e.g. `guidvault audit export | head`). */
  stdoutClosed(): boolean;
  /** Opens the core, runs `fn`, and closes the core whatever happens. */
  withCore<T>(fn: (core: Core) => Promise<T>): Promise<T>;
  /** The accessor the CLI acts as in `tenant`: `operator:cli:<os user>`. */
  operator(tenant: Tenant): Accessor;
}

function osUser(): string {
  try {
    return os.userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

/** Registers the configuration's own secrets with the masker, so no error can print them. */
function registerConfigSecrets(config: Config): void {
  if (config.masterKey) masker.register(config.masterKey.toString("base64"));
  for (const url of [config.databaseUrl, config.secretsDatabaseUrl]) {
    if (!url) continue;
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) masker.register(password);
    } catch {
      // an unparsable URL was already refused by loadConfig
    }
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
  // EPIPE (the reader went away) or any other write failure: stop writing, keep going quietly.
  io.stdout.on("error", () => {
    closed = true;
  });

  const ctx: CliContext = {
    io,
    config() {
      if (!config) {
        config = loadConfig(env);
        registerConfigSecrets(config);
      }
      return config;
    },
    debug() {
      return config?.logLevel === "debug" || config?.logLevel === "trace";
    },
    async out(text) {
      if (closed) return;
      const ok = io.stdout.write(text);
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
        await core.close().catch(() => {});
        throw err;
      }
      await core.close();
      return result;
    },
    operator(tenant) {
      return { kind: "operator", tenant, principal: `cli:${osUser()}` };
    },
  };
  return ctx;
}
