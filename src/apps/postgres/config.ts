/**
 * Workflow config of the `postgres` app (the app settings of a workflow config; never a secret):
 *
 * | field | default | meaning |
 * |---|---|---|
 * | `include` | `[]` (everything) | patterns `database.schema` to extract (see ./filters.ts); each at most 512 characters and 16 wildcards |
 * | `exclude` | `[]` | patterns `database.schema` to skip; `db.*` skips a whole database |
 * | `all_databases` | `false` | visit every database the credential can connect to (not templates), not only the credential's `database` |
 */
import { z } from "zod";
import { validationError } from "../../app-sdk/validation.js";
import { MAX_WILDCARDS, parsePattern } from "./filters.js";

const pattern = z
  .string()
  .min(1)
  .max(512)
  .superRefine((v, ctx) => {
    let wildcards: number;
    try {
      wildcards = parsePattern(v).wildcards;
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `invalid pattern: ${(err as Error).message}` });
      return;
    }
    if (wildcards > MAX_WILDCARDS) {
      ctx.addIssue({
        code: "custom",
        message: `invalid pattern: ${wildcards} wildcards (* and ?), at most ${MAX_WILDCARDS} are allowed (quote a literal * or ?)`,
      });
    }
  });

/** Schema of the `postgres` app's workflow config. */
export const postgresConfigSchema = z.strictObject({
  include: z.array(pattern).max(1000).default([]),
  exclude: z.array(pattern).max(1000).default([]),
  all_databases: z.boolean().default(false),
});

/** Parsed workflow config of the `postgres` app. */
export type PostgresConfig = z.output<typeof postgresConfigSchema>;

/**
 * Parses the app settings of a workflow config (defaults applied).
 * @throws GuidvaultError `CONFIG_INVALID` naming the field and the rule
 */
export function parsePostgresConfig(config: unknown): PostgresConfig {
  const parsed = postgresConfigSchema.safeParse(config ?? {});
  if (!parsed.success)
    throw validationError("CONFIG_INVALID", "workflow config of app postgres", parsed.error);
  return parsed.data;
}
