import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../../test/helpers/core.js";
import { GuidvaultError } from "../errors/index.js";
import { masker } from "../redact/index.js";
import type { CliIo } from "./context.js";
import { CliError, EXIT, exitCodeFor, formatError } from "./errors.js";
import { main } from "./main.js";
import { isoDateOption } from "./options.js";
import { parseSecretHalf, promptHidden } from "./prompt.js";

/** Fake terminal: stdin is a TTY in raw mode; `answer` is typed after each prompt shows up on stderr. */
function fakeTerminal(answers: string[]): { io: CliIo; stdout: () => string; stderr: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: vi.fn() });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
    if (/(password[^:]*|repeat password): $/.test(c.toString()))
      setImmediate(() => stdin.write(answers.shift() ?? ""));
  });
  return { io: { stdin, stdout, stderr }, stdout: () => out, stderr: () => err };
}

describe("hidden prompt", () => {
  it("reads without echo; handles backspace, Ctrl-U and bracketed paste", async () => {
    const t = fakeTerminal(["xx\u0015ab\u007fc\u001b[200~-pasted\u001b[201~\r"]);
    await expect(promptHidden(t.io, "password: ")).resolves.toBe("ac-pasted");
    expect(t.stderr()).toBe("password: \n");
    expect(t.io.stdin.setRawMode).toHaveBeenCalledWith(true);
    expect(t.io.stdin.setRawMode).toHaveBeenLastCalledWith(false);
  });

  it("Ctrl-C aborts with exit code 130; Ctrl-D on an empty line aborts with 2", async () => {
    await expect(promptHidden(fakeTerminal(["abc\u0003"]).io, "password: ")).rejects.toMatchObject({
      code: "INTERRUPTED",
      exitCode: EXIT.INTERRUPTED,
    });
    await expect(promptHidden(fakeTerminal(["\u0004"]).io, "password: ")).rejects.toMatchObject({
      code: "ABORTED",
      exitCode: EXIT.USAGE,
    });
  });

  it("credentials put on a terminal asks twice and prints only the GUID", async () => {
    const env = {
      DATABASE_URL: await createTestDatabase("tty"),
      GUIDVAULT_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    };
    const t = fakeTerminal(["tty-secret-value\r", "tty-secret-value\r"]);
    const code = await main(["node", "guidvault", "credentials", "put", "--tenant", "acme"], t.io, env);
    expect(code).toBe(0);
    expect(t.stdout()).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(t.stderr()).toBe("password (input hidden): \nrepeat password: \n");

    const differ = fakeTerminal(["tty-secret-value\r", "tty-secret-typo\r"]);
    expect(await main(["node", "guidvault", "credentials", "put", "--tenant", "acme"], differ.io, env)).toBe(
      EXIT.USAGE,
    );
    expect(differ.stdout()).toBe("");
    expect(differ.stderr()).toContain("error [ABORTED]: the two entries differ; nothing was stored");
  });
});

describe("secret half parsing", () => {
  it("never quotes the input in its errors", () => {
    const secret = "S3cret-Value-do-not-echo";
    for (const input of [`{"password":"${secret}"`, `password=${secret}`, `"${secret}"`, `[1]`, "   "]) {
      let message = "";
      try {
        parseSecretHalf(Buffer.from(input));
      } catch (err) {
        expect(err).toBeInstanceOf(GuidvaultError);
        expect((err as GuidvaultError).code).toBe("CREDENTIAL_INVALID");
        message = (err as Error).message;
      }
      expect(message).not.toBe("");
      expect(message).not.toContain(secret);
    }
    expect(parseSecretHalf(Buffer.from('\uFEFF{"password":"x"}'))).toEqual({ password: "x" });
  });

  it("refuses deep nesting, U+0000 and lone surrogates (CREDENTIAL_INVALID, exit 2), never quoting them", () => {
    const secret = "S3cret-Value-do-not-echo";
    const inputs = [
      `{"password": ${"[".repeat(20_000)}"${secret}"${"]".repeat(20_000)}}`,
      `{"username": "etl\\u0000${secret}"}`,
      `{"${secret}\\u0000": "x"}`,
      `{"password": "${secret}\\ud800"}`,
      `{"password": "\\udc00${secret}"}`,
    ];
    for (const input of inputs) {
      let err: unknown;
      try {
        parseSecretHalf(Buffer.from(input));
      } catch (e) {
        err = e;
      }
      expect(err, input.slice(0, 40)).toBeInstanceOf(GuidvaultError);
      expect((err as GuidvaultError).code).toBe("CREDENTIAL_INVALID");
      expect((err as Error).message).toMatch(/^stdin secret half: /);
      expect((err as Error).message).not.toContain(secret);
      expect(formatError(err, false)).toMatchObject({ exitCode: EXIT.USAGE });
    }
    expect(parseSecretHalf(Buffer.from('{"password": "p\\ud83d\\ude42ss-word"}'))).toEqual({
      password: "p🙂ss-word",
    });
  });
});

describe("error formatting", () => {
  it("maps codes to exit codes", () => {
    expect(exitCodeFor("INVALID_ID")).toBe(2);
    expect(exitCodeFor("CREDENTIAL_INVALID")).toBe(2);
    expect(exitCodeFor("CREDENTIAL_NOT_FOUND")).toBe(3);
    expect(exitCodeFor("STORE_UNAVAILABLE")).toBe(4);
    expect(exitCodeFor("MASTER_KEY_MISMATCH")).toBe(4);
    expect(exitCodeFor("42501")).toBe(4);
    expect(formatError(new CliError("X", "m", undefined, EXIT.INTERRUPTED), false).exitCode).toBe(130);
  });

  it("masks registered secrets and URL passwords, and shows the stack only in debug", () => {
    const secret = "registered-secret-0042";
    const release = masker.register(secret);
    try {
      const err = new GuidvaultError(
        "STORE_UNAVAILABLE",
        `failed: ${secret} at postgresql://u:pw-in-url@db:5432/x`,
      );
      const quiet = formatError(err, false);
      expect(quiet.exitCode).toBe(4);
      expect(quiet.text).toBe(
        "error [STORE_UNAVAILABLE]: failed: [MASKED] at postgresql://u:[MASKED]@db:5432/x\n" +
          "hint: check that PostgreSQL is reachable (DATABASE_URL, or the embedded server under GUIDVAULT_DATA_DIR), then run `guidvault doctor`\n",
      );
      const debug = formatError(err, true);
      expect(debug.text).toMatch(/\n {4}at /);
      expect(debug.text).not.toContain(secret);
      expect(formatError(new Error("boom"), false).text).toMatch(
        /^error \[INTERNAL\]: boom\nhint: rerun with/,
      );
    } finally {
      release();
    }
  });
});

describe("option parsing", () => {
  it("reads ISO 8601 dates and date-times, UTC when no offset is given", () => {
    expect(isoDateOption("2025-01-31").toISOString()).toBe("2025-01-31T00:00:00.000Z");
    expect(isoDateOption("2025-01-31T12:30").toISOString()).toBe("2025-01-31T12:30:00.000Z");
    expect(isoDateOption("2025-01-31T12:30:00+02:00").toISOString()).toBe("2025-01-31T10:30:00.000Z");
    expect(() => isoDateOption("yesterday")).toThrow(/ISO 8601/);
  });
});
