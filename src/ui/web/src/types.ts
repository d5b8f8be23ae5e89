/**
 * Shapes of the JSON the SPA reads from `/api/v1` (see the OpenAPI document) and `/ui/session`.
 * Form and audit types are the server's own (src/app-sdk/form-types.ts, src/audit/types.ts).
 */

/** The signed-in session. */
export interface SessionInfo {
  signedIn: true;
  tenant: string;
  role: "admin" | "operator" | "auditor";
  name: string;
  csrfToken: string;
  idleTimeoutSeconds: number;
}

import type { AppForm } from "../../../app-sdk/form-types.js";

export type { AppForm, FormField, FormFieldType, FormStep } from "../../../app-sdk/form-types.js";

/** An app as `GET /api/v1/apps` describes it. */
export interface AppInfo {
  name: string;
  title: string;
  description: string;
  authTypes: string[];
  steps: string[];
  form: AppForm;
}

/** A credential's description (src/credentials/types.ts): metadata only, never a secret value. */
export interface CredentialInfo {
  guid: string;
  tenant: string;
  app: string | null;
  authType: string | null;
  /** Non-secret fields. */
  config: Record<string, unknown> | null;
  /** Current secret version. */
  version: number | null;
  configVersion: number | null;
  /** Versions still holding key material. */
  versions: number;
  /** Dot paths of the secret fields (names only). */
  secretFields: string[];
  createdAt: string;
  updatedAt: string;
  lastAccessAt: string | null;
  missing: "secret half" | "credential config" | null;
}

/** Cron schedule of a workflow. */
export interface Schedule {
  cron: string;
  timezone: string;
  paused?: boolean;
}

/** A workflow config. */
export interface WorkflowInfo {
  workflow_id: string;
  app: string;
  credential_guid: string;
  config: Record<string, unknown>;
  schedule: Schedule | null;
  created_at: string;
  updated_at: string;
}

/** Run states. */
export type RunStatus = "pending" | "running" | "succeeded" | "failed";

/** A run. */
export interface RunInfo {
  run_id: string;
  workflow_id: string;
  status: RunStatus;
  counts: Record<string, number>;
  error?: { code: string; detail: string };
  output_dir: string | null;
  trigger: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export {
  AUDIT_ACTIONS,
  type AuditEvent,
  type AuditVerifyResult as AuditVerify,
} from "../../../audit/types.js";
