/**
 * Runs the real `guidvault` executable (`node bin/guidvault.js`) as a child process, the way a
 * shell user does, with an environment built from scratch (nothing inherited but PATH, HOME and
 * TMPDIR, so the test runner's own variables cannot leak in).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the executable under test. */
export const BIN = fileURLToPath(new URL("../../bin/guidvault.js", import.meta.url));

/** What a CLI run produced. */
export interface CliResult {
  /** Exit code, or null when ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Variables added to the minimal environment. */
  env: Record<string, string>;
  /** Written to stdin, which is then closed (stdin is always a pipe, never a terminal). */
  input?: string | Buffer;
  /** Called with every stderr chunk; may signal the child. */
  onStderr?: (chunk: string, child: ChildProcess) => void;
  /** Called with every stdout chunk; may signal the child. */
  onStdout?: (chunk: string, child: ChildProcess) => void;
  /** Kills the child after this long (default 60 s). */
  timeoutMs?: number;
}

/** Runs `guidvault <args>` and collects its output. */
export function runCli(args: string[], opts: RunCliOptions): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...opts.env }, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
    opts.onStdout?.(c, child);
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
    opts.onStderr?.(c, child);
  });
  child.stdin.on("error", () => {}); // the CLI may exit before reading its input
  child.stdin.end(opts.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Environment of a CLI working on database `databaseUrl` with `masterKey` and `dataDir`. */
export function cliEnv(databaseUrl: string, masterKey: Buffer, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    GUIDVAULT_MASTER_KEY: masterKey.toString("base64"),
    GUIDVAULT_DATA_DIR: dataDir,
  };
}

/** A new random master key and temp data dir. */
export async function newKeyAndDir(): Promise<{ masterKey: Buffer; dataDir: string }> {
  return {
    masterKey: randomBytes(32),
    dataDir: await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-cli-")),
  };
}

/** Lower-case UUID followed by a newline, and nothing else. */
export const GUID_LINE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/;
