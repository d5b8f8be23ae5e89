/**
 * `fetchMetadata` of the `postgres` app: what a user needs to write include/exclude filters.
 *
 * - `{ "type": "databases" }` -> `{ type, items: [{ name, owner, comment }] }`: databases the
 *   credential may connect to, templates excluded.
 * - `{ "type": "schemas", "database"?: "x" }` -> `{ type, database, items: [{ name, owner, comment }] }`:
 *   schemas of that database (default: the credential's), without `pg_catalog`,
 *   `information_schema`, `pg_toast*` and `pg_temp*`.
 */
import { z } from "zod";
import type { AppCallOptions } from "../../app-sdk/define-app.js";
import { validationError } from "../../app-sdk/validation.js";
import type { PostgresCredential } from "./auth.js";
import { withConnection } from "./connect.js";
import { DATABASES_SQL, SCHEMAS_SQL } from "./queries.js";

/** Accepted requests. */
export const metadataRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("databases") }),
  z.strictObject({ type: z.literal("schemas"), database: z.string().min(1).max(63).optional() }),
]);

/** One listed object. */
export interface MetadataItem {
  name: string;
  owner: string;
  comment: string | null;
}

/** Result of {@link fetchPostgresMetadata}. */
export type PostgresMetadata =
  | { type: "databases"; items: MetadataItem[] }
  | { type: "schemas"; database: string; items: MetadataItem[] };

/**
 * Lists databases or schemas.
 * @throws GuidvaultError `BAD_REQUEST` for an unknown request; connection errors as in connect.ts
 */
export async function fetchPostgresMetadata(
  cred: PostgresCredential,
  request: unknown,
  opts: AppCallOptions,
): Promise<PostgresMetadata> {
  const parsed = metadataRequestSchema.safeParse(request);
  if (!parsed.success) throw validationError("BAD_REQUEST", "metadata request", parsed.error);
  const req = parsed.data;
  if (req.type === "databases") {
    const items = await withConnection(
      cred,
      { signal: opts.signal },
      async (c) => (await c.query<MetadataItem>(DATABASES_SQL)).rows,
    );
    return { type: "databases", items: items.map(({ name, owner, comment }) => ({ name, owner, comment })) };
  }
  const database = req.database ?? cred.database;
  const items = await withConnection(
    cred,
    { database, signal: opts.signal },
    async (c) => (await c.query<MetadataItem>(SCHEMAS_SQL)).rows,
  );
  return {
    type: "schemas",
    database,
    items: items.map(({ name, owner, comment }) => ({ name, owner, comment })),
  };
}
