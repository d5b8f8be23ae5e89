/**
 * PostgreSQL state store: tables in schema `state`, used through the state role's pool (which has
 * no privilege on schema `secret`). See docs/state-store.md.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { prepared } from "../../db/client.js";
import { GuidvaultError, mapStoreError } from "../../errors/index.js";
import { parseTenant, UUID_PATTERN, parseUuid as uuid } from "../../ids/index.js";
import { masker } from "../../redact/index.js";
import { assertNoSecrets, parseCounts, parseName, parseSchedule } from "../guard.js";
import {
  CREDENTIAL_COLUMNS,
  type CredentialConfigRow,
  RUN_COLUMNS,
  type RunRow,
  TOKEN_COLUMNS,
  type TokenRow,
  toCredentialConfig,
  toRun,
  toToken,
  toWorkflow,
  WORKFLOW_COLUMNS,
  type WorkflowRow,
} from "../rows.js";
import type { ApiToken, StateStore } from "../types.js";

/** Options of {@link createPostgresStateStore}. */
export interface PostgresStateStoreOptions {
  /** Pool logged in as the state role (`core.db.statePool`). */
  pool: pg.Pool;
}

/** Largest masked error detail kept on a run (characters). */
export const MAX_ERROR_DETAIL = 8192;

const ROLES: ReadonlySet<string> = new Set(["admin", "operator", "auditor"]);
const TRIGGER = /^[a-z][a-z0-9_-]{0,31}$/;

function notFound(kind: "WORKFLOW_NOT_FOUND" | "RUN_NOT_FOUND", id: string): GuidvaultError {
  return new GuidvaultError(kind, `${kind === "RUN_NOT_FOUND" ? "run" : "workflow"} ${id} not found`, {
    details: { id },
  });
}

/** @throws GuidvaultError `CONFIG_INVALID` unless `dir` is a path of 1-4096 characters without NUL */
function checkOutputDir(dir: unknown): void {
  if (typeof dir !== "string" || dir.length === 0 || dir.length > 4096 || dir.includes("\0")) {
    throw new GuidvaultError("CONFIG_INVALID", "output dir must be a path of 1-4096 characters without NUL");
  }
}

/**
 * Creates the PostgreSQL state store.
 *
 * @example
 * const stateStore = createPostgresStateStore({ pool: core.db.statePool });
 */
export function createPostgresStateStore(opts: PostgresStateStoreOptions): StateStore {
  const { pool } = opts;

  async function q<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await pool.query<R>(prepared(sql, params));
    } catch (err) {
      throw mapStoreError(err, "state store");
    }
  }

  async function runRow(id: string): Promise<RunRow | undefined> {
    const { rows } = await q<RunRow>(`SELECT ${RUN_COLUMNS} FROM state.run WHERE id = $1`, [id]);
    return rows[0];
  }

  /** Runs an UPDATE on one run; `RUN_NOT_FOUND` when it matched nothing and the run does not exist. */
  async function updateRun(id: string, sql: string, params: unknown[]): Promise<number> {
    const res = await q(sql, [id, ...params]);
    if (res.rowCount === 0 && !(await runRow(id))) throw notFound("RUN_NOT_FOUND", id);
    return res.rowCount ?? 0;
  }

  return {
    async saveCredentialConfig(c) {
      const guid = uuid(c.guid, "credential GUID");
      const tenant = parseTenant(c.tenant);
      const app = parseName(c.app, "app");
      const authType = parseName(c.authType, "auth type");
      const config = assertNoSecrets(c.config, "credential config", "CREDENTIAL_INVALID");
      if (!Number.isSafeInteger(c.version) || c.version < 1) {
        throw new GuidvaultError(
          "CREDENTIAL_INVALID",
          "credential config version must be a positive integer",
        );
      }
      // Upsert; an existing row keeps its tenant, app and auth type, and its version never goes back.
      const res = await q(
        `INSERT INTO state.credential_config AS cc (guid, tenant, app, auth_type, config, version)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (guid) DO UPDATE SET config = EXCLUDED.config, version = EXCLUDED.version, updated_at = now()
          WHERE cc.tenant = EXCLUDED.tenant AND cc.app = EXCLUDED.app AND cc.auth_type = EXCLUDED.auth_type
            AND cc.version <= EXCLUDED.version`,
        [guid, tenant, app, authType, config, c.version],
      );
      if (res.rowCount === 0) {
        throw new GuidvaultError(
          "CONFLICT",
          `credential config ${guid} exists with another tenant, app or auth type, or at a newer version than ${c.version}; nothing was changed`,
          { details: { guid } },
        );
      }
    },

    async getCredentialConfig(guidIn) {
      const guid = uuid(guidIn, "credential GUID");
      const { rows } = await q<CredentialConfigRow>(
        `SELECT ${CREDENTIAL_COLUMNS} FROM state.credential_config WHERE guid = $1`,
        [guid],
      );
      return rows[0] ? toCredentialConfig(rows[0]) : undefined;
    },

    async listCredentialConfigs(tenantIn) {
      const tenant = parseTenant(tenantIn);
      const { rows } = await q<CredentialConfigRow>(
        `SELECT ${CREDENTIAL_COLUMNS} FROM state.credential_config WHERE tenant = $1 ORDER BY created_at, guid`,
        [tenant],
      );
      return rows.map(toCredentialConfig);
    },

    async deleteCredentialConfig(guidIn) {
      const guid = uuid(guidIn, "credential GUID");
      await q("DELETE FROM state.credential_config WHERE guid = $1", [guid]);
    },

    async createWorkflow(w) {
      const tenant = parseTenant(w.tenant);
      const app = parseName(w.app, "app");
      const credentialGuid = uuid(w.credentialGuid, "credential GUID");
      const config = assertNoSecrets(w.config, "workflow config", "CONFIG_INVALID");
      const schedule = parseSchedule(w.schedule);
      const { rows } = await q<WorkflowRow>(
        `INSERT INTO state.workflow_config (id, tenant, app, credential_guid, config, schedule_cron, schedule_timezone, schedule_paused)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${WORKFLOW_COLUMNS}`,
        [
          randomUUID(),
          tenant,
          app,
          credentialGuid,
          config,
          schedule?.cron ?? null,
          schedule?.timezone ?? null,
          schedule?.paused ?? false,
        ],
      );
      return toWorkflow(rows[0] as WorkflowRow);
    },

    async getWorkflow(idIn) {
      const id = uuid(idIn, "workflow id");
      const { rows } = await q<WorkflowRow>(
        `SELECT ${WORKFLOW_COLUMNS} FROM state.workflow_config WHERE id = $1`,
        [id],
      );
      return rows[0] ? toWorkflow(rows[0]) : undefined;
    },

    async listWorkflows(tenantIn) {
      const tenant = parseTenant(tenantIn);
      const { rows } = await q<WorkflowRow>(
        `SELECT ${WORKFLOW_COLUMNS} FROM state.workflow_config WHERE tenant = $1 ORDER BY created_at, id`,
        [tenant],
      );
      return rows.map(toWorkflow);
    },

    async updateWorkflow(idIn, patch) {
      const id = uuid(idIn, "workflow id");
      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (sql: string, value: unknown) => {
        params.push(value);
        sets.push(sql.replace("?", `$${params.length}`));
      };
      if (patch.config !== undefined)
        set("config = ?", assertNoSecrets(patch.config, "workflow config", "CONFIG_INVALID"));
      if (patch.credentialGuid !== undefined)
        set("credential_guid = ?", uuid(patch.credentialGuid, "credential GUID"));
      if (patch.schedule !== undefined) {
        const s = parseSchedule(patch.schedule);
        const changed = `(schedule_cron IS DISTINCT FROM $${params.length + 1} OR schedule_timezone IS DISTINCT FROM $${params.length + 2})`;
        // A changed cron or time zone forgets the last claimed slot; pausing keeps it.
        sets.push(`schedule_last_fired_at = CASE WHEN ${changed} THEN NULL ELSE schedule_last_fired_at END`);
        set("schedule_cron = ?", s?.cron ?? null);
        set("schedule_timezone = ?", s?.timezone ?? null);
        set("schedule_paused = ?", s?.paused ?? false);
      }
      sets.push("updated_at = now()");
      const { rows } = await q<WorkflowRow>(
        `UPDATE state.workflow_config SET ${sets.join(", ")} WHERE id = $1 RETURNING ${WORKFLOW_COLUMNS}`,
        params,
      );
      if (!rows[0]) throw notFound("WORKFLOW_NOT_FOUND", id);
      return toWorkflow(rows[0]);
    },

    async listScheduledWorkflows() {
      const { rows } = await q<WorkflowRow>(
        `SELECT ${WORKFLOW_COLUMNS} FROM state.workflow_config
          WHERE schedule_cron IS NOT NULL AND NOT schedule_paused ORDER BY created_at, id`,
      );
      return rows.map(toWorkflow);
    },

    async deleteWorkflow(idIn) {
      const id = uuid(idIn, "workflow id");
      const res = await q("DELETE FROM state.workflow_config WHERE id = $1", [id]);
      if (res.rowCount === 0) throw notFound("WORKFLOW_NOT_FOUND", id);
    },

    async listWorkflowsByCredential(guidIn) {
      const guid = uuid(guidIn, "credential GUID");
      const { rows } = await q<WorkflowRow>(
        `SELECT ${WORKFLOW_COLUMNS} FROM state.workflow_config WHERE credential_guid = $1 ORDER BY created_at, id`,
        [guid],
      );
      return rows.map(toWorkflow);
    },

    async createRun(r) {
      const id = uuid(r.id, "run id");
      const workflowId = uuid(r.workflowId, "workflow id");
      const tenant = parseTenant(r.tenant);
      if (typeof r.trigger !== "string" || !TRIGGER.test(r.trigger)) {
        throw new GuidvaultError(
          "CONFIG_INVALID",
          "run trigger must be a short lower-case word (manual, schedule, api)",
        );
      }
      // Idempotent for the same (id, workflow): a recovered orchestrator step may create it twice.
      const { rows } = await q<RunRow>(
        `INSERT INTO state.run (id, workflow_id, tenant, trigger)
         SELECT $1, w.id, w.tenant, $4 FROM state.workflow_config w WHERE w.id = $2 AND w.tenant = $3
         ON CONFLICT (id) DO NOTHING RETURNING ${RUN_COLUMNS}`,
        [id, workflowId, tenant, r.trigger],
      );
      if (rows[0]) return toRun(rows[0]);
      const existing = await runRow(id);
      if (existing && existing.workflow_id === workflowId && existing.tenant === tenant)
        return toRun(existing);
      if (existing)
        throw new GuidvaultError("CONFLICT", `run ${id} already exists for another workflow`, {
          details: { id },
        });
      throw notFound("WORKFLOW_NOT_FOUND", workflowId);
    },

    async getRun(idIn) {
      const row = await runRow(uuid(idIn, "run id"));
      return row ? toRun(row) : undefined;
    },

    async listRuns(workflowIdIn, limit = 100) {
      const workflowId = uuid(workflowIdIn, "workflow id");
      const n = Math.max(1, Math.min(Number.isSafeInteger(limit) ? limit : 100, 1000));
      const { rows } = await q<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM state.run WHERE workflow_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
        [workflowId, n],
      );
      return rows.map(toRun);
    },

    async markRunning(idIn, outputDir) {
      const id = uuid(idIn, "run id");
      if (outputDir !== undefined) checkOutputDir(outputDir);
      const n = await updateRun(
        id,
        `UPDATE state.run SET status = 'running', started_at = coalesce(started_at, now()),
                output_dir = coalesce($2, output_dir)
          WHERE id = $1 AND status IN ('pending', 'running')`,
        [outputDir ?? null],
      );
      // A finished run never runs again: its accessors must stay refused (access rule).
      if (n === 0)
        throw new GuidvaultError("CONFLICT", `run ${id} has already finished`, { details: { id } });
    },

    async addCounts(idIn, countsIn) {
      const id = uuid(idIn, "run id");
      const counts = parseCounts(countsIn);
      if (Object.keys(counts).length === 0) return;
      await updateRun(
        id,
        `UPDATE state.run r SET counts = r.counts || (
           SELECT jsonb_object_agg(d.key, coalesce((r.counts ->> d.key)::bigint, 0) + d.value::bigint)
             FROM jsonb_each_text($2::jsonb) d)
          WHERE id = $1`,
        [JSON.stringify(counts)],
      );
    },

    async setOutputDir(idIn, dir) {
      const id = uuid(idIn, "run id");
      checkOutputDir(dir);
      await updateRun(id, "UPDATE state.run SET output_dir = $2 WHERE id = $1", [dir]);
    },

    async finishRun(idIn, status, error) {
      const id = uuid(idIn, "run id");
      if (status !== "succeeded" && status !== "failed") {
        throw new GuidvaultError("CONFIG_INVALID", "a run finishes as succeeded or failed");
      }
      // Masked again here: the run record must never keep a secret, whatever the caller did (case 009).
      const masked = error
        ? {
            code: masker.mask(String(error.code)).slice(0, 64),
            detail: masker.mask(String(error.detail)).slice(0, MAX_ERROR_DETAIL),
          }
        : null;
      await updateRun(
        id,
        "UPDATE state.run SET status = $2, error = $3, finished_at = coalesce(finished_at, now()), started_at = coalesce(started_at, now()) WHERE id = $1",
        [status, masked === null ? null : JSON.stringify(masked)],
      );
    },

    async isRunAllowed(guid, tenant, workflowId, runId) {
      const ids = [guid, workflowId, runId].map((v) => (typeof v === "string" ? v.toLowerCase() : ""));
      if (!ids.every((v) => UUID_PATTERN.test(v)) || typeof tenant !== "string") return false;
      const { rowCount } = await q(
        `SELECT 1 FROM state.run r JOIN state.workflow_config w ON w.id = r.workflow_id
          WHERE r.id = $3 AND r.workflow_id = $2 AND r.status = 'running' AND r.tenant = $4
            AND w.tenant = $4 AND w.credential_guid = $1`,
        [...ids, tenant],
      );
      return rowCount === 1;
    },

    async createToken(t) {
      const tenant = parseTenant(t.tenant);
      if (!ROLES.has(t.role))
        throw new GuidvaultError("CONFIG_INVALID", "token role must be admin, operator or auditor");
      if (typeof t.name !== "string" || t.name.length === 0 || t.name.length > 200) {
        throw new GuidvaultError("CONFIG_INVALID", "token name must be 1-200 characters");
      }
      if (!Buffer.isBuffer(t.tokenHash) || t.tokenHash.length !== 32) {
        throw new GuidvaultError("CONFIG_INVALID", "token hash must be a 32-byte SHA-256 digest");
      }
      try {
        const { rows } = await pool.query<TokenRow>(
          `INSERT INTO state.api_token (id, tenant, role, name, token_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`,
          [randomUUID(), tenant, t.role, t.name, t.tokenHash],
        );
        return toToken(rows[0] as TokenRow);
      } catch (err) {
        if ((err as { code?: string }).code === "23505")
          throw new GuidvaultError("CONFLICT", "a token with this hash already exists");
        throw mapStoreError(err, "state store");
      }
    },

    async findTokenByHash(tokenHash) {
      if (!Buffer.isBuffer(tokenHash) || tokenHash.length !== 32) return undefined;
      const { rows } = await q<TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM state.api_token WHERE token_hash = $1`,
        [tokenHash],
      );
      return rows[0] ? toToken(rows[0]) : undefined;
    },

    async countTokens() {
      const { rows } = await q<{ n: number }>("SELECT count(*)::int AS n FROM state.api_token");
      return rows[0]?.n ?? 0;
    },

    async listTokens(tenantIn): Promise<ApiToken[]> {
      const tenant = parseTenant(tenantIn);
      const { rows } = await q<TokenRow>(
        `SELECT ${TOKEN_COLUMNS} FROM state.api_token WHERE tenant = $1 ORDER BY created_at, id`,
        [tenant],
      );
      return rows.map(toToken);
    },

    async deleteToken(idIn) {
      const id = uuid(idIn, "token id");
      const res = await q("DELETE FROM state.api_token WHERE id = $1", [id]);
      return res.rowCount === 1;
    },
  };
}
