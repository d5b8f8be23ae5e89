/**
 * What a workflow step of an app receives. Steps take only this context and return nothing: a
 * credential is fetched inside the step with `getCredentials()` and dropped when the step ends,
 * so it never becomes a step input or output that the engine would record.
 */
import type { Logger } from "../log/logger.js";
import type { Credential } from "./credential.js";

/** The logger methods a step may use (output is always masked). */
export type ActivityLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** Context of one step attempt of one run. */
export interface ActivityContext<TConfig = Record<string, unknown>, TCred = Credential> {
  readonly workflowId: string;
  readonly runId: string;
  readonly tenant: string;
  /** Name of the step being run (set by {@link createActivityContext}). */
  readonly step?: string;
  /** The workflow config's app settings (`WorkflowConfig.config`), parsed by the app's `configSchema`. */
  readonly config: TConfig;
  /** Absolute folder for this run's files (created before the first step). */
  readonly outputDir: string;
  /**
   * Resolves the workflow's credential for this step (a `run` accessor: allowed only while the
   * run is in progress). The values are registered with the masker until the step ends.
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND`, `ACCESS_DENIED`, `INTEGRITY_ERROR` (terminal),
   *   `STORE_UNAVAILABLE` (retryable)
   */
  getCredentials(): Promise<TCred>;
  /** Adds to the run's progress counters (visible while the run is running). */
  addCounts(counts: Record<string, number>): Promise<void>;
  readonly logger: ActivityLogger;
  /** Aborted when the run is cancelled or the process shuts down. */
  readonly signal: AbortSignal;
}

/** One step of an app's workflow. */
export interface WorkflowStep<TConfig = Record<string, unknown>, TCred = Credential> {
  /** Step name, unique in the workflow: `[a-z][a-z0-9-]*`. */
  readonly name: string;
  /** Runs the step. Must be safe to retry (a failed attempt may be run again). */
  run(ctx: ActivityContext<TConfig, TCred>): Promise<void>;
}

/** Options of {@link createActivityContext}. */
export interface ActivityContextOptions<TConfig> {
  workflowId: string;
  runId: string;
  tenant: string;
  step: string;
  config: TConfig;
  outputDir: string;
  logger: ActivityLogger;
  signal?: AbortSignal;
  /** Resolves the credential (e.g. `credentials.resolve(guid, runAccessor)`). */
  resolve: () => Promise<Credential & { release(): void }>;
  /** Persists counter increments (e.g. `stateStore.addCounts(runId, c)`). */
  addCounts: (counts: Record<string, number>) => Promise<void>;
}

/** A context plus the function that ends the step attempt. */
export interface ActivityContextHandle<TConfig> {
  ctx: ActivityContext<TConfig>;
  /**
   * Ends the attempt: releases every credential handed out (masker registrations end). After a
   * failed attempt the counters it added are subtracted again, so a retried step does not count
   * twice. Idempotent.
   */
  end(outcome: "succeeded" | "failed"): Promise<void>;
}

/**
 * Builds the context of one step attempt. The orchestrator calls `end()` in a `finally`.
 *
 * @example
 * const { ctx, end } = createActivityContext({ ..., resolve: () => credentials.resolve(guid, accessor) });
 * try { await step.run(ctx); await end("succeeded"); } catch (err) { await end("failed"); throw err; }
 */
export function createActivityContext<TConfig>(
  o: ActivityContextOptions<TConfig>,
): ActivityContextHandle<TConfig> {
  const releases: Array<() => void> = [];
  const added: Record<string, number> = {};
  let ended = false;
  const ctx: ActivityContext<TConfig> = Object.freeze({
    workflowId: o.workflowId,
    runId: o.runId,
    tenant: o.tenant,
    step: o.step,
    config: o.config,
    outputDir: o.outputDir,
    logger: o.logger,
    signal: o.signal ?? new AbortController().signal,
    async getCredentials() {
      if (ended) throw new Error(`step ${o.step} has ended; credentials are only available inside a step`);
      const cred = await o.resolve();
      releases.push(() => cred.release());
      return cred;
    },
    async addCounts(counts: Record<string, number>) {
      await o.addCounts(counts);
      for (const [k, v] of Object.entries(counts)) added[k] = (added[k] ?? 0) + v;
    },
  });
  return {
    ctx,
    async end(outcome) {
      if (ended) return;
      ended = true;
      for (const r of releases.splice(0)) r();
      const undo = Object.fromEntries(
        Object.entries(added)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => [k, -v]),
      );
      if (outcome === "failed" && Object.keys(undo).length > 0) await o.addCounts(undo);
    },
  };
}
