/**
 * Terminal input: a secret read from stdin (never echoed, never quoted back in an error), a
 * hidden password prompt, and a typed confirmation.
 */
import readline from "node:readline/promises";
import { checkJsonInput } from "../app-sdk/json-input.js";
import { GuidvaultError } from "../errors/index.js";
import type { CliIo } from "./context.js";
import { CliError, EXIT } from "./errors.js";

/** Reads all of `input`; refuses more than `limit` bytes. @throws GuidvaultError `PAYLOAD_TOO_LARGE` */
export async function readAll(input: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    size += buf.length;
    if (size > limit) {
      for (const c of chunks) c.fill(0);
      buf.fill(0);
      throw new GuidvaultError(
        "PAYLOAD_TOO_LARGE",
        `stdin holds more than ${limit} bytes; a secret half is at most that`,
      );
    }
    chunks.push(buf);
  }
  const all = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  return all;
}

/**
 * Parses a secret half: a non-empty JSON object, nested at most 16 levels, with no U+0000 and no
 * unpaired surrogate in any string or key ({@link checkJsonInput}). On a syntax error the message
 * gives no part of the input (the JSON parser's own message quotes it), only what to fix.
 * @throws GuidvaultError `CREDENTIAL_INVALID`
 */
export function parseSecretHalf(bytes: Buffer): Record<string, unknown> {
  let text: string;
  try {
    // Invalid UTF-8 is refused rather than silently replaced (it would change the secret).
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `stdin is not valid UTF-8 (${bytes.length} bytes read; the content is not shown)`,
    );
  }
  if (text.trim() === "") {
    throw new GuidvaultError("CREDENTIAL_INVALID", "stdin is empty: pipe the secret half as a JSON object");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `stdin is not valid JSON (${bytes.length} bytes read; the content is not shown): pipe the secret half as a JSON object`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GuidvaultError("CREDENTIAL_INVALID", 'stdin must hold a JSON object, e.g. {"password": "..."}');
  }
  checkJsonInput(value, "stdin secret half");
  return value as Record<string, unknown>;
}

/** Bracketed-paste markers a terminal wraps pasted text in (ESC [200~ ... ESC [201~). */
const PASTE_MARKERS = new RegExp(`${String.fromCharCode(27)}\\[20[01]~`, "g");

/**
 * Asks for a value on a terminal without echoing it (raw mode). Backspace deletes, Ctrl-U clears,
 * Enter ends, Ctrl-C aborts with exit code 130, Ctrl-D on an empty line aborts.
 * @throws CliError `INTERRUPTED` or `ABORTED`
 */
export async function promptHidden(io: CliIo, question: string): Promise<string> {
  const { stdin, stderr } = io;
  if (!stdin.setRawMode) throw new CliError("USAGE", "stdin is not a terminal", undefined, EXIT.USAGE);
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return await new Promise<string>((resolve, reject) => {
    let value: string[] = [];
    const finish = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write("\n");
      if (err) {
        value = [];
        reject(err);
      } else resolve(value.join(""));
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk).replace(PASTE_MARKERS, "")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") {
          return finish(new CliError("INTERRUPTED", "interrupted", undefined, EXIT.INTERRUPTED));
        }
        if (ch === "\u0004") {
          if (value.length === 0)
            return finish(new CliError("ABORTED", "no value entered", undefined, EXIT.USAGE));
          return finish();
        }
        if (ch === "\u007f" || ch === "\b") value.pop();
        else if (ch === "\u0015") value = [];
        else if (ch >= " ") value.push(ch);
      }
    };
    stdin.on("data", onData);
  });
}

/** Asks a question on the terminal with echo and returns the trimmed answer. */
export async function promptLine(io: CliIo, question: string): Promise<string> {
  const rl = readline.createInterface({
    input: io.stdin,
    output: io.stderr,
    terminal: Boolean(io.stdin.isTTY),
  });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
