/**
 * The orchestrator: starts runs from `{ workflow_id }` only, runs app activities as durable
 * steps with retries, and fires schedules.
 */

/** The one and only input of a run as the engine records it. */
export interface RunInput {
  workflow_id: string;
}

/** How this process takes part: everything, API only (enqueues), or worker only (executes). */
export type ProcessRole = "all" | "serve" | "worker";

/** Options of {@link Orchestrator.startRun}. */
export interface StartRunOptions {
  /** `manual`, `api`, `schedule`... recorded on the run. */
  trigger?: string;
  /**
   * The workflow's tenant, when the caller has already loaded the workflow config (saves a read;
   * the run is still created only if the workflow exists in that tenant).
   */
  tenant?: string;
}

/** The orchestrator. */
export interface Orchestrator {
  /**
   * Creates a pending run of `workflowId` and starts it with input `{ workflow_id }`.
   * @returns the run id (UUID)
   * @throws GuidvaultError `INVALID_ID`, `WORKFLOW_NOT_FOUND`
   */
  startRun(workflowId: string, options?: StartRunOptions): Promise<string>;
  /** Waits until the run ends (tests, CLI `--wait`). Returns its final status. */
  waitForRun(runId: string, timeoutMs?: number): Promise<"succeeded" | "failed">;
  /** Creates, updates, pauses or removes the engine schedule of a workflow to match its config. */
  syncSchedule(workflowId: string): Promise<void>;
  /** The input the engine recorded for a run (for verification). */
  recordedInput(runId: string): Promise<unknown[] | undefined>;
  /** Stops the engine, waiting up to `timeoutMs` for running workflows. */
  close(timeoutMs?: number): Promise<void>;
}
