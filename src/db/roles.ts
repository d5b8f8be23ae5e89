/**
 * Database roles: one login role per part, named after the database so several guidvault
 * databases can share one server. Passwords derive from the master key (see master-key.ts).
 */
import type pg from "pg";
import { rolePassword } from "../secret-store/master-key.js";

/** Role names of one guidvault database. */
export interface RoleNames {
  /** Secret schema: read and write encrypted rows; nothing else. */
  secret: string;
  /** State schema: workflow and credential configs, runs, tokens. No privilege on `secret`. */
  state: string;
  /** Audit writer: INSERT and SELECT on audit events only. */
  audit: string;
  /** Workflow engine (DBOS): its system schema `dbos` only. */
  engine: string;
}

/** Role names for database `db` (PostgreSQL identifiers are at most 63 bytes). */
export function roleNames(db: string): RoleNames {
  const base = db.slice(0, 50);
  return {
    secret: `${base}_secret`,
    state: `${base}_state`,
    audit: `${base}_audit`,
    engine: `${base}_engine`,
  };
}

/** Creates the login roles if missing (no password yet). Requires CREATEROLE or superuser. */
export async function createRoles(client: pg.ClientBase, names: string[]): Promise<void> {
  for (const name of names) {
    const { rowCount } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
    if (rowCount !== 0) continue;
    await client
      .query(`CREATE ROLE ${client.escapeIdentifier(name)} LOGIN`)
      .catch((err: { code?: string }) => {
        if (err.code !== "42710" && err.code !== "23505") throw err; // created concurrently
      });
  }
}

/** Sets each role's password to the one derived from the master key. */
export async function setRolePasswords(
  client: pg.ClientBase,
  names: string[],
  masterKey: Buffer,
): Promise<void> {
  // Keep the statement (it carries a password) out of the server log if it fails.
  await client.query("SET log_min_error_statement = PANIC").catch(() => {});
  for (const name of names) {
    const literal = client.escapeLiteral(rolePassword(masterKey, name));
    await client.query(`ALTER ROLE ${client.escapeIdentifier(name)} LOGIN PASSWORD ${literal}`);
  }
}

/**
 * Only guidvault's roles (and the administrative one) may connect to its database: other roles
 * of a shared server, such as a source system's role in the embedded cluster, cannot even list
 * its schemas. PostgreSQL grants CONNECT and TEMPORARY to PUBLIC by default.
 */
export async function restrictDatabase(client: pg.ClientBase, names: string[]): Promise<void> {
  const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
  const db = client.escapeIdentifier(rows[0]?.db as string);
  await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
  await client.query(
    `GRANT CONNECT ON DATABASE ${db} TO ${names.map((n) => client.escapeIdentifier(n)).join(", ")}`,
  );
}
