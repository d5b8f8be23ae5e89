/**
 * Schema migrations through node-pg-migrate, run at start on an administrative connection.
 * Two migration sets: `main` (state and audit schemas) and `secrets` (secret schema), so the
 * secret schema can live on a separate server.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";
import type pg from "pg";
import type { RoleNames } from "./roles.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Which migration set to run. */
export type MigrationSet = "main" | "secrets";

/**
 * Applies pending migrations of `set` using `client` (connected as a role allowed to create
 * schemas). node-pg-migrate's advisory lock makes concurrent starts safe.
 */
export async function migrate(client: pg.Client, set: MigrationSet, roles: RoleNames): Promise<void> {
  await client.query(
    "SELECT set_config('guidvault.role_secret', $1, false), set_config('guidvault.role_state', $2, false), set_config('guidvault.role_audit', $3, false)",
    [roles.secret, roles.state, roles.audit],
  );
  await runner({
    dbClient: client,
    dir: path.join(here, "migrations", set),
    ignorePattern: String.raw`(\..*)|(.*\.d\.ts)|(.*\.map)|(.*\.test\..*)`,
    direction: "up",
    migrationsTable: `pgmigrations_${set}`,
    migrationsSchema: "public",
    singleTransaction: true,
    advisoryLockMode: "wait",
    log: () => {},
    verbose: false,
  } as Parameters<typeof runner>[0]);
}
