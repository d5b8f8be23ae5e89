/**
 * DBOS Transact orchestrator on guidvault's PostgreSQL (system tables in schema `dbos`).
 *
 * A run is the DBOS workflow `guidvault.run` whose only input is `{ workflow_id }` and whose
 * DBOS workflow id is the run id. Step 1 `getWorkflowConfig` loads the (non-secret) config; then
 * each app activity is a step with retries; the last step records the outcome. No step takes or
 * returns a credential; errors are masked before the engine stores them (case 009).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { DBOS } from "@dbos-inc/dbos-sdk";
import {
  type AppRegistry,
  type Credential,
  createActivityContext,
  type WorkflowStep,
} from "../app-sdk/index.js";
import { GuidvaultError } from "../errors/index.js";
import { parseUuid } from "../ids/index.js";
import type { Logger } from "../log/logger.js";
import { masker } from "../redact/index.js";
import type { Accessor } from "../secret-store/types.js";
import type { StateStore, WorkflowConfig } from "../state-store/types.js";
import { createDbosLogger } from "./dbos-logger.js";
import { findGuidvaultError, isRetryable, toActivityError } from "./retry.js";
import { scheduleRunId, syncWorkflowSchedule } from "./schedules.js";
import type { Orchestrator, ProcessRole, RunInput } from "./types.js";

/** Retry policy of activities (DBOS StepConfig). */
export interface RetryPolicy {
  /** Attempts including the first (default 4). */
  maxAttempts: number;
  /** Seconds before the first retry (default 0.5). */
  intervalSeconds: number;
  /** Multiplier per retry (default 2). */
  backoffRate: number;
}

/** Dependencies of {@link createDbosOrchestrator}. */
export interface DbosOrchestratorDeps {
  /** PostgreSQL URL of the engine role for the engine's system tables (schema `dbos`). */
  systemDatabaseUrl: string;
  /** Administrative URL that creates or migrates schema `dbos` and grants it to `engineRole`. */
  migrationUrl: string;
  /** The engine's database role (see src/db/roles.ts). */
  engineRole: string;
  /** Run outputs go to `<dataDir>/runs/<run id>`. */
  dataDir: string;
  role: ProcessRole;
  logger: Logger;
  stateStore: Pick<
    StateStore,
    | "getWorkflow"
    | "createRun"
    | "getRun"
    | "markRunning"
    | "addCounts"
    | "setOutputDir"
    | "finishRun"
    | "listScheduledWorkflows"
  >;
  /** Resolves a credential GUID for an accessor (credential service). */
  resolveCredential(guid: string, accessor: Accessor): Promise<Credential & { release(): void }>;
  /** App lookup by name. */
  apps: Pick<AppRegistry, "get">;
  retry?: Partial<RetryPolicy>;
}

/** DBOS queue used when API-only processes hand runs to workers. */
export const RUN_QUEUE = "guidvault-runs";

let launched = false;

/**
 * Registers guidvault's workflows with DBOS and launches it. One per process (DBOS is global).
 * @throws Error when an orchestrator already runs in this process
 */
export async function createDbosOrchestrator(deps: DbosOrchestratorDeps): Promise<Orchestrator> {
  if (launched) throw new Error("the DBOS orchestrator is already running in this process");
  launched = true;
  const log = deps.logger.child({ component: "orchestrator" });
  const retry: RetryPolicy = { maxAttempts: 4, intervalSeconds: 0.5, backoffRate: 2, ...deps.retry };
  const { stateStore } = deps;

  async function getWorkflowConfig(
    workflowId: string,
    runId: string,
  ): Promise<WorkflowConfig & { outputDir: string }> {
    const outputDir = path.join(deps.dataDir, "runs", runId);
    // The config read and marking the run running are independent: one round trip instead of two.
    const [wf] = await Promise.all([
      stateStore.getWorkflow(workflowId),
      fs.mkdir(outputDir, { recursive: true }).then(() => stateStore.markRunning(runId, outputDir)),
    ]);
    if (!wf) throw new GuidvaultError("WORKFLOW_NOT_FOUND", `workflow ${workflowId} not found`);
    return { ...wf, outputDir };
  }

  async function runActivity(
    step: WorkflowStep,
    wf: WorkflowConfig & { outputDir: string },
    runId: string,
  ): Promise<void> {
    const app = deps.apps.get(wf.app);
    const ac = new AbortController();
    const accessor: Accessor = { kind: "run", tenant: wf.tenant, workflowId: wf.id, runId, step: step.name };
    const { ctx, end } = createActivityContext({
      workflowId: wf.id,
      runId,
      tenant: wf.tenant,
      step: step.name,
      config: app.parseConfig(wf.config) as Record<string, unknown>,
      outputDir: wf.outputDir,
      logger: log.child({ runId, step: step.name }),
      signal: ac.signal,
      resolve: () => deps.resolveCredential(wf.credentialGuid, accessor),
      addCounts: (counts) => stateStore.addCounts(runId, counts),
    });
    try {
      await step.run(ctx);
      await end("succeeded");
    } catch (err) {
      const masked = toActivityError(err); // masked while the credential is still registered
      await end("failed");
      throw masked;
    } finally {
      ac.abort();
    }
  }

  async function finish(runId: string, err?: unknown): Promise<void> {
    if (!err) return stateStore.finishRun(runId, "succeeded");
    const g = findGuidvaultError(err) ?? toActivityError(err);
    await stateStore.finishRun(runId, "failed", { code: g.code, detail: masker.mask(g.message) });
  }

  const runWorkflow = DBOS.registerWorkflow(
    async (input: RunInput): Promise<void> => {
      const runId = DBOS.workflowID as string;
      try {
        const wf = await DBOS.runStep(() => getWorkflowConfig(input.workflow_id, runId), {
          name: "getWorkflowConfig",
        });
        const app = deps.apps.get(wf.app);
        for (const step of app.workflow.steps) {
          await DBOS.runStep(() => runActivity(step, wf, runId), {
            name: step.name,
            retriesAllowed: true,
            maxAttempts: retry.maxAttempts,
            intervalSeconds: retry.intervalSeconds,
            backoffRate: retry.backoffRate,
            shouldRetry: (e) => isRetryable(e),
          });
        }
        // Recording the outcome is idempotent (an UPDATE of the run row), so it runs in the
        // workflow body rather than as a checkpointed step: one engine write less per run.
        await finish(runId);
      } catch (err) {
        const g = toActivityError(err);
        await finish(runId, g);
        throw g;
      }
    },
    { name: "guidvault.run" },
  );

  const scheduledRun = DBOS.registerWorkflow(
    async (scheduledAt: Date, context: unknown): Promise<void> => {
      const workflowId = (context as RunInput).workflow_id;
      const runId = scheduleRunId(workflowId, scheduledAt);
      const wf = await DBOS.runStep(() => stateStore.getWorkflow(workflowId), { name: "loadSchedule" });
      if (!wf) return;
      await DBOS.runStep(
        async () => {
          if (!(await stateStore.getRun(runId)))
            await stateStore.createRun({ id: runId, workflowId, tenant: wf.tenant, trigger: "schedule" });
        },
        { name: "createRun" },
      );
      await DBOS.startWorkflow(runWorkflow, { workflowID: runId })({ workflow_id: workflowId });
    },
    { name: "guidvault.scheduledRun" },
  );

  // The engine's schema is migrated with the administrative role; at run time DBOS connects as
  // its own role, which has privileges on schema `dbos` only.
  await DBOS.migrate(deps.migrationUrl, { schemaName: "dbos", applicationRole: deps.engineRole });
  DBOS.setConfig({
    name: "guidvault",
    systemDatabaseUrl: deps.systemDatabaseUrl,
    runMigrations: false,
    systemDatabaseSchemaName: "dbos",
    systemDatabasePoolSize: 20,
    logger: createDbosLogger(deps.logger),
    listenQueues: deps.role === "serve" ? [] : [RUN_QUEUE],
  });
  try {
    await DBOS.launch();
  } catch (err) {
    launched = false;
    throw err;
  }
  // API-only processes enqueue runs here; workers (and all-in-one processes) dequeue them.
  await DBOS.registerQueue(RUN_QUEUE, { workerConcurrency: 32, minPollingIntervalMs: 100 });
  // The workflow configs are the source of truth for schedules: bring the engine in line at start.
  for (const wf of await stateStore.listScheduledWorkflows())
    await syncWorkflowSchedule(wf.id, wf, scheduledRun);

  return {
    async startRun(workflowIdIn, options = {}) {
      const workflowId = parseUuid(workflowIdIn, "workflow id");
      let tenant = options.tenant;
      if (tenant === undefined) {
        const wf = await stateStore.getWorkflow(workflowId);
        if (!wf) throw new GuidvaultError("WORKFLOW_NOT_FOUND", `workflow ${workflowId} not found`);
        tenant = wf.tenant;
      }
      const runId = randomUUID();
      // Fails with WORKFLOW_NOT_FOUND unless the workflow exists in that tenant.
      await stateStore.createRun({ id: runId, workflowId, tenant, trigger: options.trigger ?? "api" });
      const input: RunInput = { workflow_id: workflowId };
      await DBOS.startWorkflow(runWorkflow, {
        workflowID: runId,
        ...(deps.role === "serve" ? { queueName: RUN_QUEUE } : {}),
      })(input);
      return runId;
    },

    async waitForRun(runId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await stateStore.getRun(runId);
        if (run && (run.status === "succeeded" || run.status === "failed")) return run.status;
        if (Date.now() > deadline)
          throw new GuidvaultError("CONFLICT", `run ${runId} did not finish within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },

    async syncSchedule(workflowId) {
      const wf = await stateStore.getWorkflow(workflowId);
      await syncWorkflowSchedule(workflowId, wf, scheduledRun);
    },

    async recordedInput(runId) {
      const status = await DBOS.getWorkflowStatus(runId);
      return status?.input as unknown[] | undefined;
    },

    async close(timeoutMs = 5000) {
      await DBOS.shutdown({ workflowCompletionTimeoutMS: timeoutMs, deregister: true });
      launched = false;
    },
  };
}
