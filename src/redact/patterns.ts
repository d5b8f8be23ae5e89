/**
 * Shape-based masking: credentials recognised by the text around them, for values the masker was
 * never told about (a driver error echoing a DSN, a token copied into a message). Applied by
 * `mask()` after the registered values. Every pattern keeps the surrounding text (scheme, user,
 * host, port, key names, quotes) so the message still says what failed (case 002).
 *
 * Each regex is anchored on a literal keyword and uses bounded or character-class quantifiers
 * only, so the cost stays linear in the text length (no catastrophic backtracking on log lines).
 */

import { MASK } from "./mask.js";

/** Words that introduce a secret in `key=value` and `"key": "value"` text. */
const KEY_WORDS = "password|passwd|pwd|secret|token|api[_-]?key|passphrase|private[_-]?key";

/** `scheme://user:PASSWORD@host` (the password may contain `@`, the last one ends it). */
const URL_USERINFO = /([a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@"<>]{0,256}:)([^\s/?#"<>]+)(?=@)/gi;

/**
 * `password=VALUE`, `password='VALUE'` (libpq, with `\'` escapes), `password="VALUE"`,
 * `password=\"VALUE\"` (the same inside a JSON string), `PGPASSWORD=...`, `api_key=...`.
 * An unterminated quote falls back to the unquoted form.
 */
const KEY_VALUE = new RegExp(
  `((?:${KEY_WORDS})[\\w.-]{0,64}[ \\t]{0,8}=[ \\t]{0,8})` +
    `(?:'((?:[^'\\\\]|\\\\.)*)'|"((?:[^"\\\\]|\\\\.)*)"|\\\\"((?:[^"\\\\]|\\\\[^"])*)\\\\"|['"]?(?:[^\\s;&'"\\\\]|\\\\[^"\\s])+)`,
  "gi",
);

/** `"password": "VALUE"` in free text (a JSON body quoted in an error message). */
const JSON_KEY = new RegExp(
  `((?:${KEY_WORDS}|authorization|cookie)[\\w-]{0,64}"[ \\t]{0,8}:[ \\t]{0,8}")(?:[^"\\\\]|\\\\.)*(?=")`,
  "gi",
);

/** `\"password\": \"VALUE\"`: the same JSON inside a JSON string (a final log line). */
const JSON_KEY_ESCAPED = new RegExp(
  `((?:${KEY_WORDS}|authorization|cookie)[\\w-]{0,64}\\\\"[ \\t]{0,8}:[ \\t]{0,8}\\\\")(?:[^"\\\\]|\\\\[^"])*(?=\\\\")`,
  "gi",
);

/** `Authorization: Bearer xyz`, `authorization=Basic xyz`, `authorization: xyz`. */
const AUTHORIZATION =
  /(authorization\\?["']?[ \t]{0,8}[:=][ \t]{0,8}\\?["']?(?:[A-Za-z][\w-]{0,31}[ \t]+)?)[^\s"'\\,;]+/gi;

/** `Bearer xyz` anywhere. */
const BEARER = /(\bbearer[ \t]+)[A-Za-z0-9\-._~+/]+=*/gi;

/** `Cookie: a=b; c=d` and `Set-Cookie: ...`, up to the end of the line or string. */
const COOKIE = /(\bcookie[ \t]{0,8}:[ \t]{0,8})[^\r\n"\\]+/gi;

/** Cheap pre-check: none of the patterns can match a text without one of these. */
const TRIGGER = new RegExp(`${KEY_WORDS}|:\\/\\/|authorization|bearer|cookie`, "i");

function quoted(prefix: string, q1?: string, q2?: string, q3?: string): string {
  if (q1 !== undefined) return `${prefix}'${MASK}'`;
  if (q2 !== undefined) return `${prefix}"${MASK}"`;
  if (q3 !== undefined) return `${prefix}\\"${MASK}\\"`;
  return prefix + MASK;
}

/**
 * Masks credentials recognised by shape: URL user-info passwords, `key=value` secrets, JSON
 * `"key": "value"` secrets, `Authorization`/`Bearer` credentials and cookie headers.
 *
 * @example maskPatterns("postgresql://app:pw@db:5432/x") === "postgresql://app:[MASKED]@db:5432/x"
 */
export function maskPatterns(text: string): string {
  if (!TRIGGER.test(text)) return text;
  return text
    .replace(URL_USERINFO, (_m, prefix: string) => prefix + MASK)
    .replace(KEY_VALUE, (_m, prefix: string, q1?: string, q2?: string, q3?: string) =>
      quoted(prefix, q1, q2, q3),
    )
    .replace(JSON_KEY, (_m, prefix: string) => prefix + MASK)
    .replace(JSON_KEY_ESCAPED, (_m, prefix: string) => prefix + MASK)
    .replace(AUTHORIZATION, (_m, prefix: string) => prefix + MASK)
    .replace(BEARER, (_m, prefix: string) => prefix + MASK)
    .replace(COOKIE, (_m, prefix: string) => prefix + MASK);
}
