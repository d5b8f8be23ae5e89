/**
 * Shapes of the JSON the SPA reads from `/api/v1` (see the OpenAPI document) and `/ui/session`.
 * The form types mirror src/app-sdk/form.ts.
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

/** Field widgets (src/app-sdk/form.ts). */
export type FormFieldType = "text" | "number" | "password" | "select" | "textarea" | "checkbox" | "list";

/** One input of an app's form. */
export interface FormField {
  name: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  secret: boolean;
  help?: string;
  placeholder?: string;
  default?: string | number | boolean | string[];
  options?: Array<{ value: string; label: string }>;
}

/** One page of an app's form. */
export interface FormStep {
  id: string;
  title: string;
  description?: string;
  fields: FormField[];
}

/** An app as `GET /api/v1/apps` describes it. */
export interface AppInfo {
  name: string;
  title: string;
  description: string;
  authTypes: string[];
  steps: string[];
  form: { credential: Record<string, FormStep[]>; config: FormStep[] };
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

/** An audit event. */
export interface AuditEvent {
  seq: number;
  time: string;
  tenant: string;
  guid: string | null;
  action: string;
  accessor: string;
  outcome: string;
  hash: string;
}

/** Result of verifying the audit chain. */
export type AuditVerify =
  | { ok: true; count: number; headSeq: number }
  | { ok: false; count: number; firstBadSeq: number; reason: string };

/** Actions of audit events (src/audit/types.ts). */
export const AUDIT_ACTIONS = [
  "put",
  "resolve",
  "rotate",
  "destroy",
  "deny",
  "describe",
  "test-auth",
  "kek-rotate",
] as const;
