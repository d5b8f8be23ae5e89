/**
 * The one place that reads `process.env`. Parsed once by a zod schema; secret-bearing variables
 * are removed from `process.env` after parsing so child processes (PostgreSQL, app drivers)
 * never inherit them.
 */
import path from "node:path";
import { z } from "zod";
import { GuidvaultError } from "../errors/index.js";

const base64Key = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v.trim()) && Buffer.from(v.trim(), "base64").length === 32, {
    message: "must be base64 of exactly 32 bytes (for example: openssl rand -base64 32)",
  });

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: "must be a postgres:// or postgresql:// URL" });

/** Schema of the environment guidvault reads. See the configuration table in README.md. */
export const envSchema = z
  .object({
    GUIDVAULT_DATA_DIR: z.string().min(1).default("./.guidvault"),
    DATABASE_URL: postgresUrl.optional(),
    GUIDVAULT_SECRETS_DATABASE_URL: postgresUrl.optional(),
    GUIDVAULT_MASTER_KEY: base64Key.optional(),
    GUIDVAULT_PORT: z.coerce.number().int().min(0).max(65535).default(8420),
    GUIDVAULT_HOST: z.string().min(1).default("127.0.0.1"),
    GUIDVAULT_BOOTSTRAP_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    GUIDVAULT_LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    GUIDVAULT_AUDIT_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(512),
  })
  .superRefine((env, ctx) => {
    if (env.GUIDVAULT_SECRETS_DATABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["GUIDVAULT_SECRETS_DATABASE_URL"],
        message: "requires DATABASE_URL (the embedded PostgreSQL holds both stores)",
      });
    }
  });

/** Raw parsed environment. */
export type Env = z.infer<typeof envSchema>;

/** Validated configuration with resolved paths. */
export interface Config {
  /** Absolute data directory (embedded PostgreSQL cluster, key file, run outputs). */
  dataDir: string;
  /** Existing PostgreSQL for everything, or undefined for the embedded one. */
  databaseUrl: string | undefined;
  /** Optional separate PostgreSQL for the secret schema. */
  secretsDatabaseUrl: string | undefined;
  /** Master key bytes (32) from GUIDVAULT_MASTER_KEY, or undefined to use the key file. */
  masterKey: Buffer | undefined;
  /** HTTP port (0 = any free port). */
  port: number;
  /** HTTP listen address. */
  host: string;
  /** Bootstrap admin token, if given. */
  bootstrapToken: string | undefined;
  /** pino level. */
  logLevel: Env["GUIDVAULT_LOG_LEVEL"];
  /** Max audit events per group-commit flush. */
  auditBatchMax: number;
}

const SECRET_VARS = [
  "GUIDVAULT_MASTER_KEY",
  "GUIDVAULT_BOOTSTRAP_TOKEN",
  "DATABASE_URL",
  "GUIDVAULT_SECRETS_DATABASE_URL",
];

/**
 * Parses an environment into a {@link Config}.
 *
 * @param env the variables (defaults to `process.env`); when it is `process.env`, secret-bearing
 *   variables are deleted from it afterwards so children never inherit them
 * @throws GuidvaultError `CONFIG_INVALID` naming every bad variable
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new GuidvaultError("CONFIG_INVALID", `invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  if (env === process.env) for (const name of SECRET_VARS) delete process.env[name];
  return {
    dataDir: path.resolve(e.GUIDVAULT_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    secretsDatabaseUrl: e.GUIDVAULT_SECRETS_DATABASE_URL,
    masterKey: e.GUIDVAULT_MASTER_KEY ? Buffer.from(e.GUIDVAULT_MASTER_KEY.trim(), "base64") : undefined,
    port: e.GUIDVAULT_PORT,
    host: e.GUIDVAULT_HOST,
    bootstrapToken: e.GUIDVAULT_BOOTSTRAP_TOKEN,
    logLevel: e.GUIDVAULT_LOG_LEVEL,
    auditBatchMax: e.GUIDVAULT_AUDIT_BATCH_MAX,
  };
}
