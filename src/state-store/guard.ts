/**
 * Input checks of the state store: it never holds a secret value, so any config carrying a key
 * that looks secret is refused before it reaches SQL, and every id is validated (case 005).
 */
import { type ErrorCode, GuidvaultError } from "../errors/index.js";
import { isSecretKey } from "../redact/index.js";

/** App and auth type names: lower case, 1-63 characters. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

/** Largest accepted config object, serialised as JSON (bytes). */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** Counter names: lower-case identifiers. */
const COUNT_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Paths (`extra.password`, `items[2].token`) of every key in `value` that {@link isSecretKey}
 * flags. Values are never read beyond their keys.
 */
export function secretKeyPaths(value: unknown, prefix = ""): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...secretKeyPaths(v, `${prefix}[${i}]`));
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (isSecretKey(k)) out.push(path);
      out.push(...secretKeyPaths(v, path));
    }
  }
  return out;
}

/**
 * Refuses a config that is not a plain JSON object, is too large, or holds a secret-looking key.
 * @param what for the message (`credential config`, `workflow config`)
 * @throws GuidvaultError `code` (`CREDENTIAL_INVALID` or `CONFIG_INVALID`)
 */
export function assertNoSecrets(config: unknown, what: string, code: ErrorCode): Record<string, unknown> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new GuidvaultError(code, `${what} must be a JSON object`);
  }
  const bad = secretKeyPaths(config);
  if (bad.length > 0) {
    throw new GuidvaultError(
      code,
      `${what} must not hold secret values, but has secret-looking key(s) ${bad.map((p) => JSON.stringify(p)).join(", ")}; secret fields belong in the secret store`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(config), "utf8");
  if (size > MAX_CONFIG_BYTES) {
    throw new GuidvaultError(code, `${what} is ${size} bytes; the limit is ${MAX_CONFIG_BYTES}`);
  }
  return config as Record<string, unknown>;
}

/** @throws GuidvaultError `CONFIG_INVALID` unless `value` matches {@link NAME_PATTERN} */
export function parseName(value: unknown, kind: string): string {
  if (typeof value === "string" && NAME_PATTERN.test(value)) return value;
  throw new GuidvaultError(
    "CONFIG_INVALID",
    `${kind} must be 1-63 characters of [a-z0-9_-] starting with a letter`,
  );
}

/** @throws GuidvaultError `CONFIG_INVALID` for a non-integer count or a malformed counter name */
export function parseCounts(counts: Record<string, number>): Record<string, number> {
  if (counts === null || typeof counts !== "object" || Array.isArray(counts)) {
    throw new GuidvaultError("CONFIG_INVALID", "counts must be an object of integers");
  }
  for (const [k, v] of Object.entries(counts)) {
    if (!COUNT_NAME.test(k))
      throw new GuidvaultError("CONFIG_INVALID", `counter name ${JSON.stringify(k.slice(0, 64))} is invalid`);
    if (!Number.isSafeInteger(v))
      throw new GuidvaultError("CONFIG_INVALID", `counter "${k}" must be an integer`);
  }
  return counts;
}

/** True when `tz` is an IANA time zone this runtime knows. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Shape check of a cron expression: 5 fields (or 6, seconds first) of cron characters. */
const CRON_FIELD = /^[0-9A-Za-z*/,?#LW-]{1,64}$/;

/**
 * Validates a schedule's shape (the orchestrator parses the cron expression itself).
 * @throws GuidvaultError `CONFIG_INVALID`
 */
export function parseSchedule(s: unknown): { cron: string; timezone: string; paused: boolean } | null {
  if (s === null || s === undefined) return null;
  const o = s as { cron?: unknown; timezone?: unknown; paused?: unknown };
  if (typeof o !== "object" || typeof o.cron !== "string") {
    throw new GuidvaultError("CONFIG_INVALID", "schedule.cron must be a cron expression");
  }
  const fields = o.cron.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new GuidvaultError(
      "CONFIG_INVALID",
      "schedule.cron must have 5 fields (minute hour day month weekday)",
    );
  }
  if (typeof o.timezone !== "string" || o.timezone.length > 64 || !isTimeZone(o.timezone)) {
    throw new GuidvaultError(
      "CONFIG_INVALID",
      "schedule.timezone must be an IANA time zone such as Europe/Berlin or UTC",
    );
  }
  if (o.paused !== undefined && typeof o.paused !== "boolean") {
    throw new GuidvaultError("CONFIG_INVALID", "schedule.paused must be a boolean");
  }
  return { cron: fields.join(" "), timezone: o.timezone, paused: o.paused === true };
}
