/**
 * A credential and its two halves: {@link splitCredential} turns submitted values into the secret
 * half (secret store) and the credential config (state store); {@link mergeCredential} joins them
 * back into one frozen, typed object and refuses anything partial or inconsistent (case 004).
 */
import type { z } from "zod";
import { GuidvaultError } from "../errors/index.js";
import { isSecretKey } from "../redact/index.js";
import { checkJsonInput } from "./json-input.js";
import { isSecretSchema, objectInside } from "./secret.js";
import { validationError } from "./validation.js";

/** Auth types of an app: auth type name -> strict zod object schema. */
export type AuthTypes = Record<string, z.ZodObject>;

/** Field names every credential object carries besides its values; auth types may not use them. */
export const RESERVED_FIELDS: readonly string[] = ["guid", "authType", "version", "release"];

/** Deeply read-only view of `T`. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends Date
    ? T
    : T extends object
      ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
      : T;

/** Identity of a resolved credential, present on every {@link Credential}. */
export type CredentialMeta<K extends string = string> = {
  readonly guid: string;
  readonly authType: K;
  /** Secret store version both halves were read at. */
  readonly version: number;
};

/**
 * A resolved credential: its identity plus every field of its auth type (secret and non-secret
 * merged: `host`, `port`, `username`, `password`, `extra`...). Frozen.
 */
export type Credential = CredentialMeta & { readonly [field: string]: unknown };

/** The typed credential of an app with auth types `A` (a union discriminated on `authType`). */
export type CredentialOf<A extends AuthTypes> = {
  [K in keyof A & string]: CredentialMeta<K> & DeepReadonly<z.output<A[K]>>;
}[keyof A & string];

/** Values submitted for a new credential (or a rotation). */
export interface SubmittedCredential {
  authType: string;
  values: Record<string, unknown>;
}

/** The two halves of a validated credential. */
export interface SplitCredential {
  authType: string;
  /** Secret fields only, nested as in the schema (`{ password, extra: { passphrase } }`). */
  secret: Record<string, unknown>;
  /** Every non-secret field (`{ host, port, username, extra: { sslmode } }`). */
  config: Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

/** Every string inside a value (for scrubbing messages). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value !== null && typeof value === "object")
    for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** Values under secret-marked fields or secret-looking keys of a raw submission (never echoed). */
function secretValues(schema: z.ZodObject | undefined, values: unknown): string[] {
  if (!isPlainObject(values)) return [];
  const out: string[] = [];
  const shape = (schema?.shape ?? {}) as Record<string, z.ZodType>;
  for (const [k, v] of Object.entries(values)) {
    const field = shape[k];
    if (isSecretKey(k) || (field && isSecretSchema(field))) stringsIn(v, out);
    else if (isPlainObject(v)) out.push(...secretValues(field && objectInside(field), v));
  }
  return out;
}

/** The auth type schema, or `CREDENTIAL_INVALID` naming the supported ones. */
export function authSchema(app: string, authTypes: AuthTypes, authType: unknown): z.ZodObject {
  const schema =
    typeof authType === "string" && Object.hasOwn(authTypes, authType) ? authTypes[authType] : undefined;
  if (!schema) {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `app ${app} has no auth type ${JSON.stringify(String(authType).slice(0, 64))} (supported: ${Object.keys(authTypes).join(", ")})`,
    );
  }
  return schema;
}

function splitBySchema(
  schema: z.ZodObject,
  value: Record<string, unknown>,
): { secret: Record<string, unknown>; config: Record<string, unknown> } {
  const secret: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [key, v] of Object.entries(value)) {
    const field = shape[key];
    if (v === undefined || !field) continue;
    const inner = objectInside(field);
    if (isSecretSchema(field)) secret[key] = v;
    else if (inner && isPlainObject(v)) {
      const sub = splitBySchema(inner, v);
      if (Object.keys(sub.secret).length > 0) secret[key] = sub.secret;
      config[key] = sub.config;
    } else config[key] = v;
  }
  return { secret, config };
}

/**
 * Validates submitted values against the auth type's strict schema (defaults applied) and splits
 * them into the two halves. The values are first checked by {@link checkJsonInput} (nesting,
 * U+0000, unpaired surrogates), before anything walks them.
 *
 * @throws GuidvaultError `CREDENTIAL_INVALID` naming field paths and rules, never a value
 */
export function splitCredential(
  app: string,
  authTypes: AuthTypes,
  submitted: SubmittedCredential,
): SplitCredential {
  if (!isPlainObject(submitted) || !isPlainObject(submitted.values)) {
    throw new GuidvaultError("CREDENTIAL_INVALID", "credential must be { authType, values: { ... } }");
  }
  checkJsonInput(submitted.values, `credential values (${app})`);
  const schema = authSchema(app, authTypes, submitted.authType);
  const parsed = schema.safeParse(submitted.values);
  if (!parsed.success) {
    const scrub = [
      ...secretValues(schema, submitted.values),
      ...stringsIn(submitted.values).filter((s) => s.length >= 8),
    ];
    throw validationError(
      "CREDENTIAL_INVALID",
      `credential (${app}/${submitted.authType})`,
      parsed.error,
      scrub,
    );
  }
  const { secret, config } = splitBySchema(schema, parsed.data as Record<string, unknown>);
  return { authType: submitted.authType, secret, config };
}

/** Paths of `half` whose secrecy (by schema) differs from `wantSecret`. */
function misplaced(
  schema: z.ZodObject,
  half: Record<string, unknown>,
  wantSecret: boolean,
  prefix = "",
): string[] {
  const out: string[] = [];
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [key, v] of Object.entries(half)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const field = shape[key];
    if (!field) continue; // unknown keys are reported by the schema parse
    const inner = objectInside(field);
    if (isSecretSchema(field)) {
      if (!wantSecret) out.push(path);
    } else if (inner && isPlainObject(v)) out.push(...misplaced(inner, v, wantSecret, path));
    else if (wantSecret) out.push(path);
  }
  return out;
}

/** Deep merge of the halves; a leaf present in both is a conflict. */
function join(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  conflicts: string[],
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if (isPlainObject(cur) && isPlainObject(v)) out[k] = join(cur, v, conflicts, path);
    else conflicts.push(path);
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Inputs of {@link mergeCredential}: both halves, read at the same version. */
export interface CredentialHalves {
  guid: string;
  authType: string;
  version: number;
  config: Record<string, unknown>;
  secret: Readonly<Record<string, unknown>>;
}

/**
 * Joins the credential config and the secret half into one frozen credential. The caller has
 * already checked that both halves exist and carry the same version.
 *
 * @throws GuidvaultError `INTEGRITY_ERROR` when the halves overlap, a field sits in the wrong
 *   half, or the union does not satisfy the auth type schema (field paths only, never values)
 */
export function mergeCredential(app: string, authTypes: AuthTypes, h: CredentialHalves): Credential {
  const schema = authTypes[h.authType];
  const where = `credential ${h.guid} v${h.version} (${app}/${h.authType})`;
  if (!schema)
    throw new GuidvaultError("INTEGRITY_ERROR", `${where}: app ${app} has no such auth type`, {
      details: { guid: h.guid },
    });
  const wrong = [
    ...misplaced(schema, h.config, false),
    ...misplaced(schema, h.secret as Record<string, unknown>, true),
  ];
  const conflicts: string[] = [];
  const merged = join(h.config, h.secret as Record<string, unknown>, conflicts);
  if (wrong.length > 0 || conflicts.length > 0) {
    throw new GuidvaultError(
      "INTEGRITY_ERROR",
      `${where}: the halves disagree (${[...wrong.map((p) => `${p} is in the wrong half`), ...conflicts.map((p) => `${p} is in both halves`)].join("; ")})`,
      { details: { guid: h.guid } },
    );
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const err = validationError(
      "INTEGRITY_ERROR",
      `${where}: stored halves`,
      parsed.error,
      stringsIn(h.secret),
    );
    throw new GuidvaultError("INTEGRITY_ERROR", err.message, { details: { guid: h.guid } });
  }
  return deepFreeze({
    ...(parsed.data as Record<string, unknown>),
    guid: h.guid,
    authType: h.authType,
    version: h.version,
  });
}

/**
 * Applies a partial update to current values: objects are merged key by key, everything else
 * replaced; a `null` removes an optional field.
 */
export function patchValues(
  current: Readonly<Record<string, unknown>>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    if (v === null) delete out[k];
    else if (isPlainObject(cur) && isPlainObject(v)) out[k] = patchValues(cur, v);
    else out[k] = v;
  }
  return out;
}
