/**
 * How the CLI reports failure: exit codes, one masked `error [CODE]: message` line per error with
 * a hint a shell user can act on, and no stack trace unless the log level is `debug` or `trace`.
 */
import { maskError, masker } from "../redact/index.js";

/** Process exit codes of `guidvault` (documented in docs/cli.md). */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** A check failed: `audit verify` found a broken chain, `doctor` found a problem. */
  CHECK_FAILED: 1,
  /** Usage error or bad input (unknown option, malformed GUID, invalid secret half, bad config). */
  USAGE: 2,
  /** The credential (or other object) does not exist. */
  NOT_FOUND: 3,
  /** The store is unavailable, the master key does not match, or another failure. */
  FAILURE: 4,
  /** Interrupted by Ctrl-C (SIGINT); what was done is kept and a rerun resumes. */
  INTERRUPTED: 130,
} as const;

/** One of the {@link EXIT} values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error raised by the CLI itself (usage problems, a refused confirmation, an interruption),
 * carrying the exit code it stands for.
 *
 * @example throw new CliError("USAGE", "refusing to destroy without --yes", "pass --yes", EXIT.USAGE);
 */
export class CliError extends Error {
  constructor(
    /** Code shown in brackets (`USAGE`, `ABORTED`, `INTERRUPTED`, or a guidvault error code). */
    readonly code: string,
    message: string,
    /** What the user can do about it. */
    readonly hint: string | undefined,
    /** Exit code of the process. */
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}

const USAGE_CODES = new Set([
  "INVALID_ID",
  "BAD_REQUEST",
  "CREDENTIAL_INVALID",
  "CONFIG_INVALID",
  "PAYLOAD_TOO_LARGE",
  "USAGE",
  "ABORTED",
]);
const NOT_FOUND_CODES = new Set(["CREDENTIAL_NOT_FOUND", "NOT_FOUND", "WORKFLOW_NOT_FOUND", "RUN_NOT_FOUND"]);

const HINTS: Readonly<Record<string, string>> = {
  INVALID_ID:
    "a credential GUID has the form 0f8fad5b-d9cb-469f-a165-70867728950e; copy it from `guidvault credentials list --tenant <tenant>`",
  CREDENTIAL_NOT_FOUND:
    "check the GUID and tenant with `guidvault credentials list --tenant <tenant>`; a destroyed credential cannot be recovered",
  CREDENTIAL_INVALID:
    "pipe a non-empty JSON object into stdin, e.g. `guidvault credentials put --tenant acme < secret.json`",
  CONFIG_INVALID: "fix the environment variables named above (see docs/cli.md, section Configuration)",
  STORE_UNAVAILABLE:
    "check that PostgreSQL is reachable (DATABASE_URL, or the embedded server under GUIDVAULT_DATA_DIR), then run `guidvault doctor`",
  MASTER_KEY_MISMATCH:
    "use the GUIDVAULT_MASTER_KEY (or <data dir>/master.key) this data was created with; nothing was changed",
  INTEGRITY_ERROR:
    "stored key material failed authentication (edited, moved, or written under another key); restore it from a backup",
  CONFLICT:
    "another process holds the resource (e.g. a KEK rotation is running); wait for it to finish, then rerun",
  ACCESS_DENIED: "the accessor may not use this credential",
};

const DEFAULT_HINT = "rerun with GUIDVAULT_LOG_LEVEL=debug for the stack trace, and report it if it persists";

/** The exit code for an error code. */
export function exitCodeFor(code: string): ExitCode {
  if (USAGE_CODES.has(code)) return EXIT.USAGE;
  if (NOT_FOUND_CODES.has(code)) return EXIT.NOT_FOUND;
  return EXIT.FAILURE;
}

/** The hint shown under an error with `code`, if there is one. */
export function hintFor(code: string): string | undefined {
  return HINTS[code];
}

/** What to print for a failure and how to exit. */
export interface FormattedError {
  /** Text for stderr (ends with a newline): `error [CODE]: message`, `hint: ...`, the stack in debug. */
  text: string;
  exitCode: ExitCode;
}

/**
 * Formats any thrown value for stderr. Everything printed passes through the secret masker
 * (`maskError`): the code, the message, the hint-free stack.
 *
 * @param debug print the masked stack trace (GUIDVAULT_LOG_LEVEL `debug` or `trace`)
 */
export function formatError(err: unknown, debug: boolean): FormattedError {
  const masked = maskError(err);
  const cli = err instanceof CliError ? err : undefined;
  const exitCode = cli?.exitCode ?? exitCodeFor(masked.code);
  const hint = cli
    ? cli.hint
    : (hintFor(masked.code) ?? (exitCode === EXIT.FAILURE ? DEFAULT_HINT : undefined));
  const lines = [`error [${masked.code}]: ${masked.message}`];
  if (hint) lines.push(`hint: ${masker.mask(hint)}`);
  if (debug && masked.stack) lines.push(masked.stack);
  return { text: `${lines.join("\n")}\n`, exitCode };
}
