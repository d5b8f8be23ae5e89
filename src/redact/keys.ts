/**
 * Key-based redaction: property and header names whose value is a secret whatever it looks like.
 *
 * This catches values the masker has never seen (an API token in a request header, a password
 * that is too short to be substring-masked) because the decision depends on the name only.
 */

/**
 * Fragments that make a key secret. A key matches when its normalized form (lower case, `-` and
 * `_` removed) contains one of them, so `DB_PASSWORD`, `x-api-key`, `clientSecret`,
 * `Proxy-Authorization` and `set-cookie` all match.
 */
export const SECRET_KEY_FRAGMENTS = [
  "password",
  "passwd",
  "secret",
  "token",
  "privatekey",
  "passphrase",
  "apikey",
  "authorization",
  "cookie",
] as const;

/**
 * Normalizes a key for matching: lower case, with `-` and `_` removed.
 *
 * @example normalizeKey("X-Api_Key") === "xapikey"
 */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/**
 * True when the value stored under `key` must never be logged: the normalized key contains one
 * of {@link SECRET_KEY_FRAGMENTS}. Deliberately broad (`tokenCount` matches too): a masked
 * harmless value costs little, an unmasked secret costs a rotation.
 *
 * @example isSecretKey("Authorization") === true; isSecretKey("host") === false
 */
export function isSecretKey(key: string): boolean {
  const k = normalizeKey(key);
  for (const fragment of SECRET_KEY_FRAGMENTS) {
    if (k.includes(fragment)) return true;
  }
  return false;
}
