/**
 * Deep masking of structured values (log objects, error properties). See `Masker.maskDeep`.
 */

import { isSecretKey } from "./keys.js";
import { MASK } from "./mask.js";

/** Placeholder for a property whose getter threw. */
const UNREADABLE = "[Unreadable]";

type MaskFn = (text: string) => string;

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/**
 * True for Node's `rawHeaders` shape: an even-length array of strings, names at even indices.
 * Values following a secret header name are then masked (`["Authorization", "Bearer x"]`).
 */
function isHeaderPairs(arr: readonly unknown[]): boolean {
  if (arr.length === 0 || arr.length % 2 !== 0) return false;
  return arr.every((v) => typeof v === "string");
}

function maskArray(arr: readonly unknown[], mask: MaskFn, seen: WeakMap<object, unknown>): unknown[] {
  const out: unknown[] = [];
  seen.set(arr, out);
  const pairs = isHeaderPairs(arr);
  for (let i = 0; i < arr.length; i++) {
    const prev = arr[i - 1];
    const secret = pairs && i % 2 === 1 && typeof prev === "string" && isSecretKey(prev);
    out.push(secret ? MASK : walk(arr[i], mask, seen));
  }
  return out;
}

function maskMap(map: Map<unknown, unknown>, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  const out = new Map<unknown, unknown>();
  seen.set(map, out);
  for (const [k, v] of map) {
    const secret = typeof k === "string" && isSecretKey(k);
    out.set(walk(k, mask, seen), secret ? MASK : walk(v, mask, seen));
  }
  return out;
}

function maskSet(set: Set<unknown>, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  const out = new Set<unknown>();
  seen.set(set, out);
  for (const v of set) out.add(walk(v, mask, seen));
  return out;
}

/** Masked value of one property, by key then by value. */
function property(key: string, value: unknown, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  if (value !== undefined && isSecretKey(key)) return MASK;
  return walk(value, mask, seen);
}

/** Copy of an Error with the same prototype and property descriptors, values masked. */
function maskErrorObject(err: Error, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  const out = Object.create(Object.getPrototypeOf(err) as object | null) as Record<string, unknown>;
  seen.set(err, out);
  for (const key of Object.getOwnPropertyNames(err)) {
    const desc = Object.getOwnPropertyDescriptor(err, key);
    if (desc === undefined) continue;
    const value = property(key, "value" in desc ? desc.value : read(err, key), mask, seen);
    Object.defineProperty(out, key, {
      value,
      enumerable: desc.enumerable ?? false,
      writable: true,
      configurable: true,
    });
  }
  // Inherited or accessor-based message/stack (some runtimes) must not escape unmasked.
  for (const key of ["message", "stack"] as const) {
    if (!Object.hasOwn(out, key)) {
      const v = read(err, key);
      if (typeof v === "string") {
        Object.defineProperty(out, key, {
          value: mask(v),
          enumerable: false,
          writable: true,
          configurable: true,
        });
      }
    }
  }
  return out;
}

function maskObject(obj: object, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  const out: Record<string, unknown> = {};
  seen.set(obj, out);
  for (const key of Object.keys(obj)) {
    const v = property(key, read(obj, key), mask, seen);
    const k = mask(key);
    // defineProperty keeps a key named `__proto__` an ordinary property.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function walk(value: unknown, mask: MaskFn, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return mask(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) return maskArray(value, mask, seen);
  if (value instanceof Error) return maskErrorObject(value, mask, seen);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) return maskMap(value, mask, seen);
  if (value instanceof Set) return maskSet(value, mask, seen);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  const toJSON = read(value, "toJSON");
  if (typeof toJSON === "function") {
    seen.set(value, MASK); // a toJSON returning its own object must not loop
    let json: unknown;
    try {
      json = (toJSON as () => unknown).call(value);
    } catch {
      return UNREADABLE;
    }
    const out = walk(json, mask, seen);
    seen.set(value, out);
    return out;
  }
  return maskObject(value, mask, seen);
}

/**
 * Deep-copies `value`, masking every string with `mask` and replacing every secret-keyed
 * property with {@link MASK}. Semantics are documented on `Masker.maskDeep`.
 */
export function maskDeepWith(value: unknown, mask: MaskFn): unknown {
  return walk(value, mask, new WeakMap());
}
