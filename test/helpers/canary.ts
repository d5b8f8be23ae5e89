/**
 * Canary sweeps: plant a unique secret, run the system, then search every output (buffers, log
 * files, database files, whole directories) for the canary in every encoding it could leak in.
 *
 * Written independently of src/redact on purpose: its own escaping and percent-encoding code,
 * and the stable base64 windows are found by comparing two encodings with different neighbours
 * instead of by the masker's arithmetic, so a bug in the masker cannot blind the sweep.
 */

import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { lstat, open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** One place where a canary was found (or a file that could not be searched). */
export interface Hit {
  /** The canary found; `*` for an unreadable file (it may hold any canary). */
  canary: string;
  /** Name of the encoding found (see {@link canaryForms}); `unreadable (CODE)` for a file that could not be read. */
  form: string;
  /** Where: the name given to {@link sweepBuffers}, or a file path. */
  where: string;
  /** Byte offset of the first byte of the match; -1 for an unreadable file. */
  offset: number;
}

/** One encoded form of a canary, as the bytes to search for. */
export interface CanaryForm {
  /** Form name, for example `json-ascii-lower` or `base64@2`. */
  form: string;
  /** The bytes that, if present, prove the canary leaked. */
  needle: Buffer;
}

/** Prefix of the `form` of a {@link Hit} reporting a file that could not be searched. */
export const UNREADABLE_FORM = "unreadable";

/**
 * A new unique canary secret: `gvc_<label>_<24 hex>` followed by `"\é%+/ ` and 4 more hex digits.
 * The special characters make every encoding differ from the raw value (JSON escapes `"` and
 * `\`, ASCII-only JSON escapes `é`, URL encodings escape `%`, `+`, `/`, and form encoding turns
 * the space into `+`), so a masker that only handles some encodings is caught.
 */
export function newCanary(label = "canary"): string {
  return `gvc_${label}_${randomBytes(12).toString("hex")}"\\é%+/ ${randomBytes(2).toString("hex")}`;
}

function hex2(byte: number, upper: boolean): string {
  const h = byte.toString(16).padStart(2, "0");
  return upper ? h.toUpperCase() : h;
}

/** JSON string body; `ascii` writes every code unit above 0x7E as `\uXXXX`. */
function jsonBody(value: string, ascii: "no" | "lower" | "upper"): string {
  const parts: string[] = [];
  for (const unit of value.split("")) {
    const c = unit.charCodeAt(0);
    if (unit === '"' || unit === "\\") parts.push(`\\${unit}`);
    else if (unit === "\n") parts.push("\\n");
    else if (unit === "\r") parts.push("\\r");
    else if (unit === "\t") parts.push("\\t");
    else if (unit === "\b") parts.push("\\b");
    else if (unit === "\f") parts.push("\\f");
    else if (c < 0x20 || (c > 0x7e && ascii !== "no")) {
      const h = c.toString(16).padStart(4, "0");
      parts.push(`\\u${ascii === "upper" ? h.toUpperCase() : h}`);
    } else parts.push(unit);
  }
  return parts.join("");
}

/** Percent-encodes every UTF-8 byte outside `keep` (upper-case hex); `space` replaces 0x20. */
function percent(value: string, keep: RegExp, space?: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (byte === 0x20 && space !== undefined) out += space;
    else if (byte < 0x80 && keep.test(ch)) out += ch;
    else out += `%${hex2(byte, true)}`;
  }
  return out;
}

/**
 * The run of base64 characters of `value` that does not depend on its neighbours when it starts
 * `align` bytes (mod 3) into a longer stream: encode it once between 0x00 bytes and once between
 * 0xFF bytes, and keep the longest run of positions where both encodings agree.
 */
function stableBase64(bytes: Buffer, align: number): string {
  const a = Buffer.concat([Buffer.alloc(align, 0x00), bytes, Buffer.alloc(3, 0x00)]).toString("base64");
  const b = Buffer.concat([Buffer.alloc(align, 0xff), bytes, Buffer.alloc(3, 0xff)]).toString("base64");
  let best = "";
  let start = -1;
  for (let i = 0; i <= a.length; i++) {
    const same = i < a.length && a[i] === b[i];
    if (same && start < 0) start = i;
    if (!same && start >= 0) {
      if (i - start > best.length) best = a.slice(start, i);
      start = -1;
    }
  }
  return best;
}

/**
 * Every encoding a leaked canary could take, as bytes: `raw` (UTF-8), `json`, `json-ascii-lower`,
 * `json-ascii-upper`, `json-in-json`, `url-component` (encodeURIComponent set), `url-form`
 * (application/x-www-form-urlencoded, space as `+`), `base64@0..2` and `base64url@0..2` (the
 * stable characters at each byte alignment inside a longer stream, which also covers the value
 * encoded on its own), `hex-lower`, `hex-upper`, `utf16le`.
 */
export function canaryForms(value: string): CanaryForm[] {
  const bytes = Buffer.from(value, "utf8");
  const text = (form: string, s: string): CanaryForm => ({ form, needle: Buffer.from(s, "utf8") });
  const forms: CanaryForm[] = [
    { form: "raw", needle: bytes },
    text("json", jsonBody(value, "no")),
    text("json-ascii-lower", jsonBody(value, "lower")),
    text("json-ascii-upper", jsonBody(value, "upper")),
    text("json-in-json", jsonBody(jsonBody(value, "no"), "no")),
    text("url-component", percent(value, /[A-Za-z0-9\-_.!~*'()]/)),
    text("url-form", percent(value, /[A-Za-z0-9*\-._]/, "+")),
  ];
  for (let align = 0; align < 3; align++) {
    const std = stableBase64(bytes, align);
    forms.push(text(`base64@${align}`, std));
    forms.push(text(`base64url@${align}`, std.replace(/\+/g, "-").replace(/\//g, "_")));
  }
  const hex = [...bytes].map((b) => hex2(b, false)).join("");
  forms.push(text("hex-lower", hex), text("hex-upper", hex.toUpperCase()));
  forms.push({ form: "utf16le", needle: Buffer.from(value, "utf16le") });
  return forms;
}

interface Needle {
  canary: string;
  form: string;
  needle: Buffer;
}

/** Needles of all canaries; forms with identical bytes are merged (`base64@0|base64url@0`). */
function needlesOf(canaries: readonly string[]): Needle[] {
  const byKey = new Map<string, Needle>();
  for (const canary of canaries) {
    for (const { form, needle } of canaryForms(canary)) {
      if (needle.length === 0) continue;
      const key = `${canary}\u0000${needle.toString("hex")}`;
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, { canary, form, needle });
      else seen.form += `|${form}`;
    }
  }
  return [...byKey.values()];
}

/**
 * Records every occurrence in `data` of every needle that ends after byte `seenUpTo` (bytes
 * before it were already searched as part of the previous chunk).
 */
function search(
  data: Buffer,
  needles: readonly Needle[],
  where: string,
  base: number,
  hits: Hit[],
  seenUpTo = 0,
): void {
  for (const { canary, form, needle } of needles) {
    for (let i = data.indexOf(needle); i >= 0; i = data.indexOf(needle, i + 1)) {
      if (i + needle.length > seenUpTo) hits.push({ canary, form, where, offset: base + i });
    }
  }
}

/**
 * Searches in-memory outputs (captured log lines, HTTP bodies, rows) for every form of every
 * canary. Strings are searched as UTF-8.
 *
 * @returns one hit per occurrence per form; empty when nothing leaked
 */
export function sweepBuffers(
  named: Array<{ where: string; data: Buffer | string }>,
  canaries: string[],
): Hit[] {
  const needles = needlesOf(canaries);
  const hits: Hit[] = [];
  for (const { where, data } of named) {
    search(typeof data === "string" ? Buffer.from(data, "utf8") : data, needles, where, 0, hits);
  }
  return hits;
}

/** Options of {@link sweepFiles}. */
export interface SweepFilesOptions {
  /** Bytes read at a time (default 1 MiB); small values exercise the chunk overlap. */
  chunkSize?: number;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "ERROR";
}

function unreadable(where: string, err: unknown): Hit {
  return { canary: "*", form: `${UNREADABLE_FORM} (${errorCode(err)})`, where, offset: -1 };
}

/**
 * Collects regular files under `path`. Only a path given by the caller (`top`) is followed when
 * it is a symlink; symlinks met while walking are not.
 */
async function collect(path: string, files: string[], hits: Hit[], top = false): Promise<void> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = top ? await stat(path) : await lstat(path);
  } catch (err) {
    hits.push(unreadable(path, err));
    return;
  }
  if (info.isDirectory()) {
    let entries: Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (err) {
      hits.push(unreadable(path, err));
      return;
    }
    for (const entry of entries) await collect(join(path, entry.name), files, hits);
  } else if (info.isFile()) {
    files.push(path);
  }
  // symlinks, sockets, FIFOs and devices are skipped: reading a FIFO would block the sweep
}

async function sweepFile(
  path: string,
  needles: readonly Needle[],
  chunkSize: number,
  hits: Hit[],
): Promise<void> {
  const overlap = Math.max(0, ...needles.map((n) => n.needle.length)) - 1;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    let tail = Buffer.alloc(0);
    let position = 0;
    const chunk = Buffer.alloc(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunkSize, position);
      if (bytesRead === 0) break;
      const window = Buffer.concat([tail, chunk.subarray(0, bytesRead)]);
      // The tail (longest needle - 1 bytes) lets a needle cross the boundary; matches lying
      // wholly inside it were recorded with the previous chunk and are skipped.
      search(window, needles, path, position - tail.length, hits, tail.length);
      tail = window.subarray(Math.max(0, window.length - overlap));
      position += bytesRead;
    }
  } catch (err) {
    hits.push(unreadable(path, err));
  } finally {
    await handle?.close();
  }
}

/**
 * Searches files for every form of every canary. Each path may be a file or a directory, walked
 * recursively; a path given here is resolved even if it is a symlink, but symlinks found while
 * walking are not followed, and sockets, FIFOs and devices are skipped. Files are streamed in
 * chunks with an overlap of (longest needle - 1) bytes, so a needle across a chunk boundary is
 * found exactly once. A file or directory that cannot be read is reported as a hit with form
 * `unreadable (CODE)`, canary `*` and offset -1: a sweep that could not look must not pass.
 */
export async function sweepFiles(
  paths: string[],
  canaries: string[],
  opts: SweepFilesOptions = {},
): Promise<Hit[]> {
  const chunkSize = opts.chunkSize ?? 1 << 20;
  const needles = needlesOf(canaries);
  const hits: Hit[] = [];
  const files: string[] = [];
  for (const path of paths) await collect(path, files, hits, true);
  for (const file of files) await sweepFile(file, needles, chunkSize, hits);
  return hits;
}
