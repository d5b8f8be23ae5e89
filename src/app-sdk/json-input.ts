/**
 * One check for submitted JSON-like input, run before anything walks or stores it:
 *
 * - nesting deeper than `maxDepth` containers is refused, so no recursive walker (secret
 *   scrubbing, masking, merging) can overflow the stack on `[[[[...20000...]]]]`;
 * - U+0000 in any string or object key is refused: PostgreSQL `jsonb` rejects it (SQLSTATE 22P05),
 *   which surfaced as a 500 and, during a rotation, left the two halves at different versions;
 * - an unpaired UTF-16 surrogate is refused: it is not Unicode, UTF-8 cannot encode it, and it
 *   would be stored as U+FFFD (a silently different secret) or rejected further down.
 *
 * The walk is iterative (an explicit stack), so the check itself cannot overflow either.
 */
import { GuidvaultError } from "../errors/index.js";

/** Containers (objects, arrays) that may nest inside each other by default: `{ a: { b: 1 } }` is 2. */
export const DEFAULT_MAX_JSON_DEPTH = 16;

/** Options of {@link checkJsonInput}. */
export interface JsonInputOptions {
  /** Most containers nested inside each other, the outermost counting 1 (default 16). */
  maxDepth?: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(s: string, what: string, where: "a string" | "an object key"): void {
  if (s.includes("\u0000")) {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `${what}: ${where} contains the character U+0000 (NUL), which cannot be stored; remove it`,
    );
  }
  if (LONE_SURROGATE.test(s)) {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `${what}: ${where} contains an unpaired UTF-16 surrogate (\\uD800-\\uDFFF not part of a pair), which is not valid Unicode`,
    );
  }
}

/**
 * Refuses JSON-like input that is nested too deep or holds a string (or object key) with U+0000
 * or an unpaired surrogate. The message names `what` and the rule broken, never the value.
 * Iterative: safe on input of any depth. Objects reached twice (possible only in values built in
 * code, not parsed JSON) are checked once per depth at most.
 *
 * @param what names the input in the message, e.g. `credential values (postgres)`
 * @throws GuidvaultError `CREDENTIAL_INVALID`
 * @example
 * checkJsonInput(JSON.parse(body), "request body"); // throws on [[[...20000...]]]
 */
export function checkJsonInput(value: unknown, what: string, opts: JsonInputOptions = {}): void {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  /** Deepest level each container was checked at: seen again no deeper, it is skipped. */
  const seen = new Map<object, number>();
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (typeof v === "string") {
      checkString(v, what, "a string");
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (item.depth > maxDepth) {
      throw new GuidvaultError(
        "CREDENTIAL_INVALID",
        `${what}: nested more than ${maxDepth} levels deep (objects and arrays inside each other); flatten it`,
      );
    }
    const before = seen.get(v);
    if (before !== undefined && before >= item.depth) continue;
    seen.set(v, item.depth);
    const depth = item.depth + 1;
    if (Array.isArray(v)) {
      for (const el of v) stack.push({ value: el, depth });
    } else {
      for (const key of Object.keys(v)) {
        checkString(key, what, "an object key");
        stack.push({ value: (v as Record<string, unknown>)[key], depth });
      }
    }
  }
}
