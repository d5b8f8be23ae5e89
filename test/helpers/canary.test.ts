import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canaryForms, type Hit, newCanary, sweepBuffers, sweepFiles, UNREADABLE_FORM } from "./canary.js";

const FORM_NAMES = [
  "raw",
  "json",
  "json-ascii-lower",
  "json-ascii-upper",
  "json-in-json",
  "url-component",
  "url-form",
  "base64@0",
  "base64url@0",
  "base64@1",
  "base64url@1",
  "base64@2",
  "base64url@2",
  "hex-lower",
  "hex-upper",
  "utf16le",
];

const hasForm = (hits: Hit[], form: string): boolean => hits.some((h) => h.form.split("|").includes(form));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gv-canary-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("newCanary", () => {
  it("is unique, at least 16 characters, and contains characters every encoding treats differently", () => {
    const a = newCanary("x");
    const b = newCanary("x");
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(16);
    for (const ch of ['"', "\\", "é", "%", "+", "/", " "]) expect(a).toContain(ch);
    expect(a).toContain("_x_");
  });
});

describe("canaryForms", () => {
  it("lists every form, all distinct from the raw bytes, with the expected encodings", () => {
    const c = 'gvc_t_0123456789abcdef"\\é%+/ 00ff';
    const forms = canaryForms(c);
    expect(forms.map((f) => f.form)).toEqual(FORM_NAMES);
    const get = (name: string) => forms.find((f) => f.form === name)?.needle.toString("utf8");
    expect(get("json")).toBe(JSON.stringify(c).slice(1, -1));
    expect(get("json-ascii-lower")).toBe('gvc_t_0123456789abcdef\\"\\\\\\u00e9%+/ 00ff');
    expect(get("json-ascii-upper")).toBe('gvc_t_0123456789abcdef\\"\\\\\\u00E9%+/ 00ff');
    expect(get("json-in-json")).toBe(JSON.stringify(JSON.stringify(c).slice(1, -1)).slice(1, -1));
    expect(get("url-component")).toBe(encodeURIComponent(c));
    expect(get("url-form")).toBe(new URLSearchParams({ v: c }).toString().slice(2));
    expect(get("hex-lower")).toBe(Buffer.from(c).toString("hex"));
    // each base64 window is inside the encoding of the value at that byte offset
    for (const [align, prefix] of [
      [0, ""],
      [1, "u"],
      [2, "user:"],
    ] as const) {
      const encoded = Buffer.from(`${prefix}${c}tail`).toString("base64");
      expect(encoded).toContain(get(`base64@${align}`));
      expect(get(`base64@${align}`)?.length).toBeGreaterThanOrEqual(
        Math.floor((Buffer.byteLength(c) * 4) / 3) - 2,
      );
    }
  });
});

describe("sweepBuffers", () => {
  it("finds each form in a string or buffer and reports where and at which byte offset", () => {
    const c = newCanary("buf");
    const json = JSON.stringify({ pw: c });
    const hits = sweepBuffers(
      [
        { where: "log", data: `line 1\n${json}\n` },
        { where: "clean", data: Buffer.from("nothing to see") },
      ],
      [c],
    );
    expect(hits).toEqual([
      { canary: c, form: "json", where: "log", offset: Buffer.byteLength(`line 1\n{"pw":"`) },
    ]);
  });
});

describe("sweepFiles", () => {
  it("finds every form planted in files of a nested directory", async () => {
    const c = newCanary("files");
    const nested = join(dir, "a", "b", "c");
    await mkdir(nested, { recursive: true });
    for (const { form, needle } of canaryForms(c)) {
      const body = Buffer.concat([Buffer.from(`before ${form} `), needle, Buffer.from(" after\n")]);
      await writeFile(join(nested, `${form}.log`), body);
    }
    const hits = await sweepFiles([dir], [c]);
    for (const form of FORM_NAMES) {
      const inFile = hits.filter((h) => h.where === join(nested, `${form}.log`));
      expect(hasForm(inFile, form), form).toBe(true);
      const hit = inFile.find((h) => h.form.split("|").includes(form));
      expect(hit?.offset).toBe(Buffer.byteLength(`before ${form} `));
    }
  });

  it("catches a canary base64-encoded inside a basic-auth header at any byte alignment", async () => {
    const c = newCanary("auth");
    const lines = ["", "u", "user:"].map(
      (prefix) => `Authorization: Basic ${Buffer.from(`${prefix}${c}`).toString("base64")}\n`,
    );
    await writeFile(join(dir, "headers.txt"), lines.join(""));
    const hits = await sweepFiles([dir], [c]);
    for (const form of ["base64@0", "base64@1", "base64@2"]) expect(hasForm(hits, form), form).toBe(true);
  });

  it("gives zero hits for a clean directory, including near misses of the canary", async () => {
    const c = newCanary("clean");
    await mkdir(join(dir, "x", "y"), { recursive: true });
    await writeFile(join(dir, "x", "y", "log.txt"), `${c.slice(0, -1)}\n${c.slice(1)}\nordinary text\n`);
    await writeFile(join(dir, "empty"), "");
    expect(await sweepFiles([dir], [c])).toEqual([]);
  });

  it("finds needles across chunk boundaries exactly once, whatever the chunk size", async () => {
    const c = newCanary("chunks");
    const body = Buffer.concat(
      canaryForms(c).flatMap(({ needle }, i) => [Buffer.from(`${"-".repeat(i * 7)}|`), needle]),
    );
    await writeFile(join(dir, "big.bin"), body);
    const key = (h: Hit) => `${h.form}@${h.offset}`;
    const reference = (await sweepFiles([dir], [c])).map(key).sort();
    expect(reference.length).toBeGreaterThanOrEqual(FORM_NAMES.length);
    for (const chunkSize of [1, 5, 7, 64, 1000]) {
      const hits = (await sweepFiles([dir], [c], { chunkSize })).map(key).sort();
      expect(hits, `chunkSize ${chunkSize}`).toEqual(reference);
    }
  });

  it("does not follow symlinks met while walking", async () => {
    const c = newCanary("link");
    const outside = await mkdtemp(join(tmpdir(), "gv-canary-outside-"));
    try {
      await writeFile(join(outside, "secret.txt"), c);
      await mkdir(join(dir, "sub"));
      await symlink(join(outside, "secret.txt"), join(dir, "sub", "file-link"));
      await symlink(outside, join(dir, "sub", "dir-link"));
      expect(await sweepFiles([dir], [c])).toEqual([]);
      // a path given explicitly is searched
      expect(await sweepFiles([join(dir, "sub", "dir-link")], [c])).toHaveLength(1);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("reports a path that cannot be read instead of passing silently", async () => {
    const hits = await sweepFiles([join(dir, "missing")], ["whatever-canary-value"]);
    expect(hits).toEqual([
      { canary: "*", form: `${UNREADABLE_FORM} (ENOENT)`, where: join(dir, "missing"), offset: -1 },
    ]);
  });

  // root reads files whatever their mode, so the permission case cannot be set up as root
  it.skipIf(process.getuid?.() === 0)("reports a file without read permission", async () => {
    await writeFile(join(dir, "locked"), "x");
    await chmod(join(dir, "locked"), 0o000);
    const hits = await sweepFiles([dir], ["whatever-canary-value"]);
    expect(hits).toEqual([
      { canary: "*", form: `${UNREADABLE_FORM} (EACCES)`, where: join(dir, "locked"), offset: -1 },
    ]);
  });

  it("skips FIFOs instead of blocking on them", async (ctx) => {
    try {
      execFileSync("mkfifo", [join(dir, "pipe")]);
    } catch {
      ctx.skip("mkfifo is not available on this system");
    }
    expect(await sweepFiles([dir], ["whatever-canary-value"])).toEqual([]);
  });
});
