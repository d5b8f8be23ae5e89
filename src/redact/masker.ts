/**
 * The secret masker: every logger and error path of guidvault passes text through it.
 *
 * Two mechanisms, both always on:
 * - value-based: each registered secret is replaced wherever it appears, in every encoded form
 *   (see ./forms.ts), plus credentials recognised by shape (./patterns.ts);
 * - key-based: in objects, the value under a secret-looking key (./keys.ts) is replaced whatever
 *   it is, which also covers values too short to be substring-masked.
 *
 * The rules and the reasons for them are in docs/redaction.md.
 */

import { maskDeepWith } from "./deep.js";
import { secretForms } from "./forms.js";
import { MASK } from "./mask.js";
import { compileMatcher, type FormMatcher } from "./matcher.js";
import { maskPatterns } from "./patterns.js";
import { scrubErrorWith } from "./scrub.js";

/**
 * Minimum length, in Unicode code points, of a value that is substring-masked.
 *
 * Shorter values are never registered: masking `test` everywhere would turn the host `test-db`
 * into `[MASKED]-db` and tell every reader the password, and masking `a` would wreck every line.
 * Such values are still removed by key-based redaction (`{ password: "test" }` is masked), and a
 * caller storing one must emit a visible warning (see {@link isWeakSecret}).
 */
export const MIN_MASK_LENGTH = 8;

/**
 * True when `value` is too short to be substring-masked (fewer than {@link MIN_MASK_LENGTH}
 * code points, the empty string included). Storing such a secret must produce a warning.
 *
 * @example isWeakSecret("test") === true; isWeakSecret("S3cret-Value") === false
 */
export function isWeakSecret(value: string): boolean {
  if (value.length >= MIN_MASK_LENGTH * 2) return false;
  return [...value].length < MIN_MASK_LENGTH;
}

/** A set of known secret values and the functions that hide them. */
export interface Masker {
  /**
   * Registers a secret value so every form of it is masked from now on. Registrations are
   * reference-counted: the value stays masked until every returned release function was called.
   * Call the release function when the credential is dropped from memory; calling it twice is
   * harmless. Empty and weak values ({@link isWeakSecret}) are not registered (the release
   * function is then a no-op). Never throws, whatever the value's size (a private key of
   * hundreds of KB included).
   *
   * @example
   * const release = masker.register(creds.password);
   * try { await connect(creds); } finally { release(); }
   */
  register(value: string): () => void;
  /**
   * Returns `text` with every form of every registered value, and every credential recognised by
   * shape (URL user-info password, `password=...`, `Authorization`/`Bearer`, cookie headers),
   * replaced by {@link MASK}. Non-string input is returned unchanged. Never throws; should
   * masking fail unexpectedly, the whole text is replaced by {@link MASK}.
   */
  mask(text: string): string;
  /**
   * Returns a deep copy of `value` in which every string (keys included) is masked and every
   * property whose key is secret-looking ({@link isSecretKey}) is {@link MASK}. Arrays, plain
   * objects, Maps, Sets and Dates are copied; Errors keep their prototype (message, stack, cause
   * and `errors` masked); objects with `toJSON` are copied from its result; other class instances
   * become plain objects of their own enumerable properties (what JSON serialization sees).
   * Typed arrays and ArrayBuffers are returned as they are (binary is not scanned). Cycles are
   * preserved. Never throws on a property getter: a throwing getter yields `[Unreadable]`.
   */
  maskDeep<T>(value: T): T;
  /** Number of distinct values currently registered (weak values are never counted). */
  registeredCount(): number;
}

interface Entry {
  refs: number;
  /** Encoded forms, computed lazily by `compile`. */
  forms: string[] | undefined;
}

/**
 * Creates an independent masker. Most code uses the process-wide {@link masker}; a separate
 * instance is for tests and tools that must not touch the process-wide registry.
 */
export function createMasker(): Masker {
  const entries = new Map<string, Entry>();
  /** Compiled matcher of every registered form; `undefined` when the set changed. */
  let compiled: FormMatcher | undefined;

  function compile(): FormMatcher {
    const all: string[] = [];
    for (const [value, entry] of entries) {
      entry.forms ??= formsOf(value);
      for (const f of entry.forms) all.push(f);
    }
    return compileMatcher(all);
  }

  /** The forms of `value`; only the raw value when encoding failed (e.g. a string too long). */
  function formsOf(value: string): string[] {
    try {
      return secretForms(value).filter((f) => f.length >= MIN_MASK_LENGTH);
    } catch {
      return [value];
    }
  }

  const self: Masker = {
    register(value) {
      if (typeof value !== "string" || isWeakSecret(value)) return () => {};
      let entry = entries.get(value);
      if (entry === undefined) {
        // Forms are computed when the matcher is next compiled, i.e. only if something is masked
        // while the value is registered (a resolve on the hot path usually masks nothing).
        entry = { refs: 0, forms: undefined };
        entries.set(value, entry);
        compiled = undefined;
      }
      entry.refs++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const current = entries.get(value);
        if (current === undefined) return;
        current.refs--;
        if (current.refs <= 0) {
          entries.delete(value);
          compiled = undefined;
        }
      };
    },

    mask(text) {
      if (typeof text !== "string") return text;
      try {
        let out = text;
        if (entries.size > 0 && out.length >= MIN_MASK_LENGTH) {
          compiled ??= compile();
          out = compiled.replace(out, MASK);
        }
        return maskPatterns(out);
      } catch {
        // Not expected (the matcher never throws); fail closed rather than return unmasked text
        // or an engine error that may quote a secret.
        return MASK;
      }
    },

    maskDeep(value) {
      return maskDeepWith(value, self.mask) as typeof value;
    },

    registeredCount() {
      return entries.size;
    },
  };
  return self;
}

/** The process-wide masker used by every logger and error path. */
export const masker: Masker = createMasker();

/** A masked, serializable summary of an error. */
export interface MaskedError {
  /** `err.code` when it is a string (a guidvault code, a SQLSTATE, an errno name), else `INTERNAL`. */
  code: string;
  /** The masked message (`String(err)` for non-errors). */
  message: string;
  /** The masked stack trace, when the error has one. */
  stack?: string;
}

/**
 * Returns a masked summary of any thrown value: its code, message and stack with every secret
 * replaced. Never throws.
 *
 * @param m the masker to use (default: the process-wide {@link masker})
 */
export function maskError(err: unknown, m: Masker = masker): MaskedError {
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    code?: unknown;
    message?: unknown;
    stack?: unknown;
  };
  const code = typeof e.code === "string" && e.code !== "" ? m.mask(e.code) : "INTERNAL";
  let message: string;
  if (typeof e.message === "string") message = e.message;
  else if (typeof err === "string") message = err;
  else {
    try {
      message = JSON.stringify(m.maskDeep(err)) ?? String(err);
    } catch {
      message = Object.prototype.toString.call(err);
    }
  }
  const out: MaskedError = { code, message: m.mask(message) };
  if (typeof e.stack === "string") out.stack = m.mask(e.stack);
  return out;
}

/**
 * Rewrites a thrown value in place so it can be handed to code that persists or prints errors
 * (the workflow engine stores a failed step's message and stack, case 009): `message`, `stack`
 * and every other own string property are masked, secret-looking properties become
 * {@link MASK}, other object properties are replaced by masked copies (the originals, which may
 * be live client configs, are not mutated), and the same is done along the whole `cause` chain
 * and through `AggregateError.errors`. Cycles are handled; read-only properties are redefined
 * when configurable and otherwise left alone. Never throws; non-objects are ignored.
 *
 * @param m the masker to use (default: the process-wide {@link masker})
 * @example
 * catch (err) { scrubError(err); throw err; }
 */
export function scrubError(err: unknown, m: Masker = masker): void {
  scrubErrorWith(err, m);
}
