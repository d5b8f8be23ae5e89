/**
 * The secret marker: a field of an auth type schema wrapped in {@link secret} belongs to the
 * secret half of a credential (secret store); every other field belongs to the credential config
 * (state store). The marker is zod 4 metadata (`.meta({ secret: true })`), so it also shows in
 * `z.toJSONSchema` output.
 */
import { z } from "zod";

/** Metadata key set by {@link secret}. */
export const SECRET_META = "secret";

/**
 * Marks a field as secret. Wrap the finished field schema: `secret(z.string().min(1))`, or
 * `secret(z.string()).optional()`. (A refinement added after `secret(...)`, such as
 * `secret(z.string()).min(1)`, makes a new schema without the marker; `defineApp` then refuses
 * the auth type if the field name looks secret, see `isSecretKey`.)
 *
 * @example
 * const schema = z.strictObject({ username: z.string(), password: secret(z.string().min(1)) });
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [SECRET_META]: true }) as T;
}

/** Wrapper kinds looked through when reading the marker or the shape of a field. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch"]);

/** The schemas from `schema` inward through optional/nullable/default/... wrappers. */
function layers(schema: z.ZodType): z.ZodType[] {
  const out: z.ZodType[] = [];
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s !== undefined && i < 16; i++) {
    out.push(s);
    const def = s._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    s = WRAPPERS.has(def.type) ? def.innerType : def.type === "pipe" ? def.in : undefined;
  }
  return out;
}

/** True when `schema` (or a schema it wraps) carries the {@link secret} marker. */
export function isSecretSchema(schema: z.ZodType): boolean {
  return layers(schema).some((s) => z.globalRegistry.get(s)?.[SECRET_META] === true);
}

/** The object schema inside `schema`'s wrappers, if it is an object. */
export function objectInside(schema: z.ZodType): z.ZodObject | undefined {
  const inner = layers(schema).at(-1);
  return inner instanceof z.ZodObject ? inner : undefined;
}

/** True when the field accepts `undefined` (optional, or has a default). */
export function isOptionalSchema(schema: z.ZodType): boolean {
  return layers(schema).some((s) => ["optional", "default", "prefault"].includes(s._zod.def.type));
}

/** A leaf field of an object schema. */
export interface FieldInfo {
  /** Dot path, e.g. `extra.private_key`. */
  path: string;
  secret: boolean;
  optional: boolean;
  schema: z.ZodType;
}

/**
 * Every leaf field of an object schema, nested objects walked (`extra.sslmode`); a secret-marked
 * object is one secret leaf.
 */
export function fieldsOf(schema: z.ZodObject, prefix = ""): FieldInfo[] {
  const out: FieldInfo[] = [];
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const secretField = isSecretSchema(field);
    const obj = objectInside(field);
    if (obj && !secretField) out.push(...fieldsOf(obj, path));
    else out.push({ path, secret: secretField, optional: isOptionalSchema(field), schema: field });
  }
  return out;
}
