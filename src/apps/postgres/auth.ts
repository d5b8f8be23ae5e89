/**
 * Auth types of the `postgres` app. `basic`: host, port (default 5432), database (default
 * `postgres`), username, password (secret), and `extra`:
 * - `sslmode`: `disable` | `prefer` (default) | `require` | `verify-full`, as in libpq
 *   (`prefer` tries TLS without verification and falls back to plain TCP when the server has no
 *   TLS; `require` encrypts without verifying the certificate; `verify-full` verifies the chain
 *   against `sslrootcert` or the system CAs and the host name). `allow` and `verify-ca` are not
 *   offered: node-postgres has no equivalent.
 * - `sslrootcert`: PEM CA certificate(s) for `verify-full` (not secret).
 * - `connect_timeout`: seconds, 1-300, default 10.
 */
import { z } from "zod";
import { authTypes } from "../../app-sdk/auth-types.js";
import type { CredentialOf } from "../../app-sdk/credential.js";

/** Supported `extra.sslmode` values. */
export const SSL_MODES = ["disable", "prefer", "require", "verify-full"] as const;

/** The `postgres` app's auth types. */
export const postgresAuthTypes = {
  basic: authTypes.basic({
    defaultPort: 5432,
    fields: { database: z.string().min(1).max(63).default("postgres") },
    extra: {
      sslmode: z.enum(SSL_MODES).default("prefer"),
      sslrootcert: z
        .string()
        .max(65_536)
        .regex(/-----BEGIN CERTIFICATE-----/, { message: "must be PEM certificate text" })
        .optional(),
      connect_timeout: z.number().int().min(1).max(300).default(10),
    },
  }),
};

/** A resolved `postgres` credential. */
export type PostgresCredential = CredentialOf<typeof postgresAuthTypes>;
