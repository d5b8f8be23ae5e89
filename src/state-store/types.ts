/**
 * The state store interface: workflow configs, credential configs (the non-secret half of a
 * credential), runs, schedules and API tokens. It never holds a secret value.
 */

/** Non-secret half of a credential, stored under the credential GUID. */
export interface CredentialConfig {
  guid: string;
  tenant: string;
  /** App name, e.g. `postgres`. */
  app: string;
  /** Auth type, e.g. `basic`. */
  authType: string;
  /** Non-secret fields (host, port, database, username, extra.sslmode...). */
  config: Record<string, unknown>;
  /** Secret store version this config was saved with. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Cron schedule of a workflow. */
export interface Schedule {
  /** 5-field cron expression. */
  cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
  paused: boolean;
}

/** A workflow config: which app runs with which credential GUID and settings. Never a secret. */
export interface WorkflowConfig {
  /** Workflow id (UUID). */
  id: string;
  tenant: string;
  app: string;
  /** Credential GUID the workflow may resolve. */
  credentialGuid: string;
  /** App-specific settings (filters...), validated by the app's configSchema. */
  config: Record<string, unknown>;
  schedule: Schedule | null;
  /**
   * Last schedule slot fired (read-only: ignored on
   * create and update). Absent or null when the schedule never fired.
   */
  lastFiredAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Run states. */
export const RUN_STATUSES = ["pending", "running", "succeeded", "failed"] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One execution of a workflow. */
export interface Run {
  /** Run id (UUID); also the engine's workflow id. */
  id: string;
  workflowId: string;
  tenant: string;
  status: RunStatus;
  /** Progress counters, e.g. `{ databases: 2, tables: 20 }`. */
  counts: Record<string, number>;
  /** Masked error (code and detail) when failed. */
  error: { code: string; detail: string } | null;
  /** Folder of the run's output files. */
  outputDir: string | null;
  /** `manual`, `schedule` or `api`. */
  trigger: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** An API token record (the token itself is never stored, only its SHA-256). */
export interface ApiToken {
  id: string;
  tenant: string;
  role: "admin" | "operator" | "auditor";
  name: string;
  createdAt: Date;
}

/** The state store. Methods throw `STORE_UNAVAILABLE` when the database is unreachable. */
export interface StateStore {
  saveCredentialConfig(c: Omit<CredentialConfig, "createdAt" | "updatedAt">): Promise<void>;
  /** @returns undefined when absent */
  getCredentialConfig(guid: string): Promise<CredentialConfig | undefined>;
  listCredentialConfigs(tenant: string): Promise<CredentialConfig[]>;
  deleteCredentialConfig(guid: string): Promise<void>;

  createWorkflow(w: Omit<WorkflowConfig, "id" | "createdAt" | "updatedAt">): Promise<WorkflowConfig>;
  /** @returns undefined when absent */
  getWorkflow(id: string): Promise<WorkflowConfig | undefined>;
  listWorkflows(tenant: string): Promise<WorkflowConfig[]>;
  updateWorkflow(
    id: string,
    patch: Partial<Pick<WorkflowConfig, "config" | "schedule" | "credentialGuid">>,
  ): Promise<WorkflowConfig>;
  /** Workflows whose schedule is set and not paused. */
  listScheduledWorkflows(): Promise<WorkflowConfig[]>;

  createRun(r: Pick<Run, "id" | "workflowId" | "tenant" | "trigger">): Promise<Run>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(workflowId: string, limit?: number): Promise<Run[]>;
  /** Moves a run to `running` (sets startedAt and, when given, the output folder). */
  markRunning(id: string, outputDir?: string): Promise<void>;
  /** Adds to the run's progress counters. */
  addCounts(id: string, counts: Record<string, number>): Promise<void>;
  /** Sets the run's output folder. */
  setOutputDir(id: string, dir: string): Promise<void>;
  /** Final state; `error` must already be masked. */
  finishRun(
    id: string,
    status: "succeeded" | "failed",
    error?: { code: string; detail: string },
  ): Promise<void>;
  /** True when run `runId` of workflow `workflowId` is running and that workflow references `guid` (access rule). */
  isRunAllowed(guid: string, tenant: string, workflowId: string, runId: string): Promise<boolean>;

  createToken(t: {
    tenant: string;
    role: ApiToken["role"];
    name: string;
    tokenHash: Buffer;
  }): Promise<ApiToken>;
  findTokenByHash(tokenHash: Buffer): Promise<ApiToken | undefined>;
  countTokens(): Promise<number>;

  // Added by the state-store implementation (additions only; see docs/state-store.md).

  /** Deletes a workflow config and its runs. @throws GuidvaultError `WORKFLOW_NOT_FOUND` */
  deleteWorkflow(id: string): Promise<void>;
  /** Workflow configs (any tenant) that reference credential `guid`. */
  listWorkflowsByCredential(guid: string): Promise<WorkflowConfig[]>;
  /** API tokens of a tenant (never the hash). */
  listTokens(tenant: string): Promise<ApiToken[]>;
  /** Deletes (revokes) an API token. @returns false when no such token */
  deleteToken(id: string): Promise<boolean>;
}
