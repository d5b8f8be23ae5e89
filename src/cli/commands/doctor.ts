/**
 * `guidvault doctor`: a checklist of what must hold for guidvault to run safely: configuration,
 * database reachable, master key matches, role isolation between the schemas, append-only audit,
 * key ring state, key file permissions. Exit 1 when any check fails.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type pg from "pg";
import type { Core } from "../../compose.js";
import type { Config } from "../../config/env.js";
import { maskError } from "../../redact/index.js";
import type { CliContext } from "../context.js";
import { EXIT, hintFor } from "../errors.js";
import { formatCount } from "../progress.js";

/** One line of the checklist; `warn` does not fail the run. */
interface Check {
  name: string;
  status: "ok" | "fail" | "warn";
  detail: string;
  hint?: string;
}

const SYMBOL = { ok: "✓", fail: "✗", warn: "!" } as const;

/** SQLSTATE of the error `sql` raises on `pool`, or `undefined` when it succeeds. */
async function sqlState(pool: pg.Pool, sql: string): Promise<string | undefined> {
  try {
    await pool.query(sql);
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? code : "ERROR";
  }
}

/** A role is "refused" on a schema when reading its tables fails with permission denied (42501). */
async function refusedOnSecret(core: Core, role: string, pool: pg.Pool): Promise<Check> {
  const name = `${role} role refused on the secret schema`;
  if (core.db.secretsAdminUrl !== core.db.adminUrl) {
    return {
      name,
      status: "ok",
      detail: "the secret schema is on a separate server (GUIDVAULT_SECRETS_DATABASE_URL)",
    };
  }
  const states = await Promise.all(
    ["secret.version", "secret.kek", "secret.credential"].map((t) =>
      sqlState(pool, `SELECT 1 FROM ${t} LIMIT 1`),
    ),
  );
  if (states.every((s) => s === "42501")) {
    return {
      name,
      status: "ok",
      detail: "SELECT on secret.version, secret.kek, secret.credential: permission denied",
    };
  }
  return {
    name,
    status: "fail",
    detail: `expected permission denied (42501), got ${states.map((s) => s ?? "success").join(", ")}`,
    hint: `REVOKE ALL ON SCHEMA secret FROM the ${role} role (and on its tables), then rerun`,
  };
}

async function secretRoleConfined(core: Core): Promise<Check> {
  const name = "secret role has no privilege on the state and audit schemas";
  if (core.db.secretsAdminUrl !== core.db.adminUrl) return { name, status: "ok", detail: "separate server" };
  const { rows } = await core.db.secretPool.query<{ any: boolean }>(
    `SELECT bool_or(has_schema_privilege(n.oid, 'USAGE') OR has_schema_privilege(n.oid, 'CREATE')) AS any
       FROM pg_namespace n WHERE n.nspname IN ('state', 'audit')`,
  );
  return rows[0]?.any
    ? { name, status: "fail", detail: "the secret role can use the state or audit schema", hint: "revoke it" }
    : { name, status: "ok", detail: "no USAGE or CREATE on state, audit" };
}

async function auditAppendOnly(core: Core): Promise<Check> {
  const name = "audit role cannot change or delete audit events";
  const states = await Promise.all([
    sqlState(core.db.auditPool, "UPDATE audit.event SET outcome = outcome WHERE false"),
    sqlState(core.db.auditPool, "DELETE FROM audit.event WHERE false"),
  ]);
  return states.every((s) => s === "42501")
    ? { name, status: "ok", detail: "UPDATE, DELETE: permission denied" }
    : {
        name,
        status: "fail",
        detail: `expected permission denied, got ${states.map((s) => s ?? "success").join(", ")}`,
      };
}

async function keyRing(core: Core): Promise<Check> {
  const name = "key ring";
  const { rows } = await core.db.secretPool.query<{
    primary: string | null;
    keks: string;
    open: string;
    stale: string;
  }>(
    `SELECT (SELECT id FROM secret.kek WHERE is_primary) AS primary,
            (SELECT count(*) FROM secret.kek) AS keks,
            (SELECT count(*) FROM secret.kek_rotation WHERE finished_at IS NULL) AS open,
            (SELECT count(*) FROM secret.version v
              WHERE v.kek_id IS DISTINCT FROM (SELECT id FROM secret.kek WHERE is_primary)) AS stale`,
  );
  const r = rows[0];
  if (!r?.primary)
    return { name, status: "ok", detail: "no KEK yet (the first one is created by the first put)" };
  const detail = `primary KEK ${r.primary}, ${r.keks} KEK(s) in the ring`;
  if (Number(r.open) > 0 || Number(r.stale) > 0) {
    return {
      name,
      status: "warn",
      detail: `${detail}; ${formatCount(Number(r.stale))} DEK(s) still under older KEKs`,
      hint: "run `guidvault keys rotate` to finish the rotation",
    };
  }
  return { name, status: "ok", detail };
}

async function keyFileMode(name: string, file: string): Promise<Check> {
  try {
    const mode = (await fs.stat(file)).mode & 0o777;
    const text = mode.toString(8).padStart(4, "0");
    if ((mode & 0o077) === 0) return { name, status: "ok", detail: `${file} is ${text}` };
    return {
      name,
      status: "fail",
      detail: `${file} is ${text}: readable by others`,
      hint: `chmod 600 '${file}'`,
    };
  } catch (err) {
    return { name, status: "fail", detail: `${file}: ${maskError(err).message}` };
  }
}

async function coreChecks(ctx: CliContext, checks: Check[]): Promise<void> {
  await ctx.withCore(async (core) => {
    const pg = core.db.embedded;
    const where = pg
      ? `embedded PostgreSQL on port ${pg.port}, ${pg.startedHere ? "started for this check" : "already running (attached)"}`
      : "DATABASE_URL";
    const version = (
      await core.db.secretPool.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    ).rows[0]?.v;
    checks.push({ name: "database reachable", status: "ok", detail: `PostgreSQL ${version}, ${where}` });
    const source = core.masterKey.source === "env" ? "GUIDVAULT_MASTER_KEY" : core.masterKey.file;
    checks.push({
      name: "master key matches",
      status: "ok",
      detail: `key check value matches (source: ${source})`,
    });
    const guarded = async (name: string, fn: () => Promise<Check>) => {
      try {
        checks.push(await fn());
      } catch (err) {
        const m = maskError(err);
        checks.push({ name, status: "fail", detail: `${m.code}: ${m.message}` });
      }
    };
    await guarded("state role refused", () => refusedOnSecret(core, "state", core.db.statePool));
    await guarded("audit role refused", () => refusedOnSecret(core, "audit", core.db.auditPool));
    await guarded("secret role confined", () => secretRoleConfined(core));
    await guarded("audit append-only", () => auditAppendOnly(core));
    await guarded("key ring", () => keyRing(core));
  });
}

/** Classifies a failure to open the core into the checks it fails. */
function openFailure(err: unknown, checks: Check[]): void {
  const m = maskError(err);
  const fail = (name: string): Check => ({
    name,
    status: "fail",
    detail: `${m.code}: ${m.message}`,
    hint: hintFor(m.code),
  });
  if (m.code === "MASTER_KEY_MISMATCH") {
    checks.push(
      { name: "database reachable", status: "ok", detail: "connected" },
      fail("master key matches"),
    );
  } else if (m.code === "CONFIG_INVALID") {
    checks.push(fail("master key readable"));
  } else {
    checks.push(fail("database reachable"));
  }
}

async function doctor(ctx: CliContext): Promise<void> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = ctx.config();
    const db = config.databaseUrl ? "DATABASE_URL" : "embedded PostgreSQL";
    checks.push({
      name: "configuration valid",
      status: "ok",
      detail: `data dir ${config.dataDir}; database: ${db}`,
    });
  } catch (err) {
    const m = maskError(err);
    checks.push({ name: "configuration valid", status: "fail", detail: m.message, hint: hintFor(m.code) });
  }
  if (config) {
    try {
      await coreChecks(ctx, checks);
    } catch (err) {
      openFailure(err, checks);
    }
    if (config.masterKey) {
      checks.push({
        name: "key file permissions",
        status: "ok",
        detail: "master key from GUIDVAULT_MASTER_KEY (no key file)",
      });
    } else {
      checks.push(await keyFileMode("key file permissions", path.join(config.dataDir, "master.key")));
    }
    if (!config.databaseUrl) {
      checks.push(
        await keyFileMode(
          "superuser password file permissions",
          path.join(config.dataDir, "pg-superuser.secret"),
        ),
      );
    }
  }
  for (const c of checks) {
    await ctx.out(`${SYMBOL[c.status]} ${c.name}: ${c.detail}\n`);
    if (c.hint && c.status !== "ok") await ctx.out(`    hint: ${c.hint}\n`);
  }
  const failed = checks.filter((c) => c.status === "fail").length;
  await ctx.out(
    failed === 0 ? `all ${checks.length} checks passed\n` : `${failed} of ${checks.length} checks failed\n`,
  );
  if (failed > 0) ctx.exitCode = EXIT.CHECK_FAILED;
}

/** Adds the `doctor` command to `program`. */
export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command("doctor")
    .description(
      "check database, master key, schema privileges, audit, key ring and key files; exit 1 on a failure",
    )
    .action(() => doctor(ctx));
}
