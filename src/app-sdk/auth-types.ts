/**
 * Standard auth types. Each builder returns a strict zod object schema whose secret fields are
 * marked with {@link secret}; an app extends it with its own fields and `extra` settings.
 * Every auth type has at least one required secret field (the secret half is never empty).
 *
 * | auth type | secret fields | non-secret fields |
 * |---|---|---|
 * | `basic` | `password` | `host`, `port`, `username`, app fields, `extra.*` |
 * | `token` | `token` | `host`?, `port`?, app fields, `extra.*` |
 * | `iam_user` | `secret_access_key`, `session_token`? | `access_key_id`, `region`? |
 * | `iam_role` | `external_id` | `role_arn`, `region`?, `session_name`? |
 * | `oauth_client` | `client_secret` | `endpoint`, `client_id`, `scopes`? |
 * | `certificate` | `extra.private_key`, `extra.passphrase`? | `host`, `port`, `username`?, `extra.certificate`, `extra.ca`? |
 *
 * Non-secret field names must not look secret (see `isSecretKey`: `token_url` would be refused by
 * the state store), hence `endpoint` rather than `token_url`.
 */
import { z } from "zod";
import { secret } from "./secret.js";

/** The standard auth type names. */
export const AUTH_TYPE_NAMES = [
  "basic",
  "token",
  "iam_user",
  "iam_role",
  "oauth_client",
  "certificate",
] as const;

/** A host name or IP address: no scheme, user info, path or whitespace (connection code never builds URIs). */
export const hostField = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s/@?#]+$/, { message: "must be a host name or IP address (no scheme, user, path or spaces)" });

/** A TCP port with a default. */
export const portField = (defaultPort: number) => z.number().int().min(1).max(65535).default(defaultPort);

/** A PEM block (certificate or key). */
const pem = z
  .string()
  .max(65_536)
  .regex(/-----BEGIN [A-Z0-9 ]+-----/, { message: "must be PEM text (-----BEGIN ...-----)" });

/** An empty field set. */
export type NoFields = Record<never, never>;

/** Options of the builders: the app's own non-secret fields and `extra` settings. */
export interface AuthTypeOptions<F extends z.ZodRawShape, E extends z.ZodRawShape> {
  /** Extra top-level fields (e.g. `database`). */
  fields?: F;
  /** Fields of the `extra` object (e.g. `sslmode`); mark secret ones with `secret(...)`. */
  extra?: E;
  /** Default port where the auth type has one. */
  defaultPort?: number;
}

function withExtra<S extends z.ZodRawShape, F extends z.ZodRawShape, E extends z.ZodRawShape>(
  base: S,
  o: AuthTypeOptions<F, E>,
) {
  const extra = z.strictObject((o.extra ?? {}) as E).prefault({} as never);
  return z.strictObject({ ...base, ...((o.fields ?? {}) as F), extra });
}

/** Builders of the standard auth types. */
export const authTypes = {
  /** User name and password against a host. */
  basic<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    return withExtra(
      {
        host: hostField,
        port: portField(o.defaultPort ?? 5432),
        username: z.string().min(1).max(256),
        password: secret(z.string().min(1).max(4096)),
      },
      o,
    );
  },
  /** A bearer or API token, optionally against a host. */
  token<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    return withExtra(
      {
        host: hostField.optional(),
        port: z.number().int().min(1).max(65535).optional(),
        token: secret(z.string().min(1).max(16_384)),
      },
      o,
    );
  },
  /** Long-lived cloud user keys (AWS style). */
  iam_user<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    return withExtra(
      {
        access_key_id: z.string().min(16).max(128),
        secret_access_key: secret(z.string().min(16).max(256)),
        session_token: secret(z.string().min(1).max(8192)).optional(),
        region: z.string().min(1).max(64).optional(),
      },
      o,
    );
  },
  /** A role assumed with an external id (the external id is kept secret, conservatively). */
  iam_role<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    return withExtra(
      {
        role_arn: z.string().regex(/^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
          message: "must be an IAM role ARN",
        }),
        external_id: secret(z.string().min(2).max(1224)),
        region: z.string().min(1).max(64).optional(),
        session_name: z.string().min(2).max(64).optional(),
      },
      o,
    );
  },
  /** OAuth 2.0 client credentials grant (RFC 6749 section 4.4). */
  oauth_client<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    return withExtra(
      {
        endpoint: z.url({ protocol: /^https$/ }),
        client_id: z.string().min(1).max(512),
        client_secret: secret(z.string().min(1).max(4096)),
        scopes: z.array(z.string().min(1).max(256)).max(100).optional(),
      },
      o,
    );
  },
  /** Client certificate with its private key (in `extra`, secret). */
  certificate<F extends z.ZodRawShape = NoFields, E extends z.ZodRawShape = NoFields>(
    o: AuthTypeOptions<F, E> = {},
  ) {
    const extra = z.strictObject({
      certificate: pem,
      private_key: secret(pem),
      passphrase: secret(z.string().min(1).max(1024)).optional(),
      ca: pem.optional(),
      ...((o.extra ?? {}) as E),
    });
    return z.strictObject({
      host: hostField,
      port: portField(o.defaultPort ?? 443),
      username: z.string().min(1).max(256).optional(),
      ...((o.fields ?? {}) as F),
      extra,
    });
  },
} as const;
