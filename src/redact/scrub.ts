/**
 * In-place scrubbing of thrown values. See `scrubError` in ./masker.ts.
 */

import { isSecretKey } from "./keys.js";
import { MASK } from "./mask.js";
import type { Masker } from "./masker.js";

/** Assigns `obj[key] = value`, redefining a read-only but configurable property; never throws. */
function assign(obj: object, key: string, value: unknown): void {
  try {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    if (desc === undefined || desc.writable === true) {
      (obj as Record<string, unknown>)[key] = value;
    } else if (desc.configurable === true) {
      Object.defineProperty(obj, key, {
        value,
        enumerable: desc.enumerable ?? false,
        writable: true,
        configurable: true,
      });
    }
  } catch {
    // frozen or exotic object: nothing more can be done in place
  }
}

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function isErrorLike(v: unknown): v is object {
  return (
    v instanceof Error || (typeof v === "object" && v !== null && typeof read(v, "message") === "string")
  );
}

function scrub(err: object, m: Masker, seen: WeakSet<object>): void {
  if (seen.has(err)) return;
  seen.add(err);
  const keys = new Set(Object.getOwnPropertyNames(err));
  keys.add("message");
  keys.add("stack");
  for (const key of keys) {
    const value = read(err, key);
    if (value === undefined || value === null) continue;
    if (key === "cause" || key === "errors") {
      scrubNested(err, key, value, m, seen);
    } else if (isSecretKey(key)) {
      assign(err, key, MASK);
    } else if (typeof value === "string") {
      const masked = m.mask(value);
      if (masked !== value) assign(err, key, masked);
    } else if (isErrorLike(value)) {
      scrub(value, m, seen); // an error held under another name (`originalError`, `parent`)
    } else if (typeof value === "object") {
      assign(err, key, m.maskDeep(value));
    }
  }
}

/** `cause` and `errors`: errors are scrubbed in place, anything else replaced by a masked copy. */
function scrubNested(err: object, key: string, value: unknown, m: Masker, seen: WeakSet<object>): void {
  if (isErrorLike(value)) {
    scrub(value, m, seen);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (isErrorLike(item)) scrub(item, m, seen);
      else assign(value, String(i), typeof item === "string" ? m.mask(item) : m.maskDeep(item));
    }
  } else {
    assign(err, key, typeof value === "string" ? m.mask(value) : m.maskDeep(value));
  }
}

/** Scrubs `err` in place with `m`; see `scrubError`. */
export function scrubErrorWith(err: unknown, m: Masker): void {
  if (typeof err !== "object" || err === null) return;
  scrub(err, m, new WeakSet());
}
