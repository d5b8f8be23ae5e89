/**
 * Row shapes of the `state` schema and their mapping to the {@link StateStore} types.
 */
import type { ApiToken, CredentialConfig, Run, RunStatus, WorkflowConfig } from "./types.js";

/** Columns of `state.credential_config`. */
export interface CredentialConfigRow {
  guid: string;
  tenant: string;
  app: string;
  auth_type: string;
  config: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Columns of `state.workflow_config`. */
export interface WorkflowRow {
  id: string;
  tenant: string;
  app: string;
  credential_guid: string;
  config: Record<string, unknown>;
  schedule_cron: string | null;
  schedule_timezone: string | null;
  schedule_paused: boolean;
  schedule_last_fired_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Columns of `state.run`. */
export interface RunRow {
  id: string;
  workflow_id: string;
  tenant: string;
  status: RunStatus;
  counts: Record<string, number>;
  error: { code: string; detail: string } | null;
  output_dir: string | null;
  trigger: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Columns of `state.api_token` (without the hash). */
export interface TokenRow {
  id: string;
  tenant: string;
  role: ApiToken["role"];
  name: string;
  created_at: Date;
}

export const CREDENTIAL_COLUMNS = "guid, tenant, app, auth_type, config, version, created_at, updated_at";
export const WORKFLOW_COLUMNS =
  "id, tenant, app, credential_guid, config, schedule_cron, schedule_timezone, schedule_paused, schedule_last_fired_at, created_at, updated_at";
export const RUN_COLUMNS =
  "id, workflow_id, tenant, status, counts, error, output_dir, trigger, created_at, started_at, finished_at";
export const TOKEN_COLUMNS = "id, tenant, role, name, created_at";

export function toCredentialConfig(r: CredentialConfigRow): CredentialConfig {
  return {
    guid: r.guid,
    tenant: r.tenant,
    app: r.app,
    authType: r.auth_type,
    config: r.config,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toWorkflow(r: WorkflowRow): WorkflowConfig {
  return {
    id: r.id,
    tenant: r.tenant,
    app: r.app,
    credentialGuid: r.credential_guid,
    config: r.config,
    schedule:
      r.schedule_cron !== null && r.schedule_timezone !== null
        ? { cron: r.schedule_cron, timezone: r.schedule_timezone, paused: r.schedule_paused }
        : null,
    lastFiredAt: r.schedule_last_fired_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toRun(r: RunRow): Run {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.counts)) counts[k] = Number(v);
  return {
    id: r.id,
    workflowId: r.workflow_id,
    tenant: r.tenant,
    status: r.status,
    counts,
    error: r.error,
    outputDir: r.output_dir,
    trigger: r.trigger,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function toToken(r: TokenRow): ApiToken {
  return { id: r.id, tenant: r.tenant, role: r.role, name: r.name, createdAt: r.created_at };
}
