/**
 * Runs bench (issue 3): trigger -> credentials resolved latency over sequential runs, and runs
 * per second with one worker for many concurrent runs of a trivial app that resolves one
 * credential; beside them the floor, a bare DBOS workflow of two empty steps on the same
 * PostgreSQL (bench/dbos-floor.ts, its own process).
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { authTypes } from "../src/app-sdk/auth-types.js";
import { defineApp } from "../src/app-sdk/define-app.js";
import type { Config } from "../src/config/env.js";
import { createLogger } from "../src/log/logger.js";
import { startRuntime } from "../src/runtime.js";
import { percentile } from "./load.js";

/** Figures of the runs bench. */
export interface RunsFigures {
  trigger_resolve_p50_ms: number;
  trigger_resolve_p99_ms: number;
  runs_per_s: number;
  floor_trigger_p50_ms: number;
  floor_trigger_p99_ms: number;
  floor_runs_per_s: number;
  runs_ratio_to_floor: number;
  runs_sequential: number;
  runs_concurrent: number;
}

/** When each run's activity had its credential in hand (performance.now()). */
const resolvedAt = new Map<string, number>();

/** The trivial app: one activity that resolves its credential and does nothing else. */
const trivialApp = defineApp({
  name: "bench-trivial",
  authTypes: { token: authTypes.token({}) },
  configSchema: z.strictObject({}),
  form: {
    credential: {
      token: [
        {
          id: "token",
          title: "Token",
          fields: [{ name: "token", label: "Token", type: "password", required: true, secret: true }],
        },
      ],
    },
    config: [],
  },
  testAuth: async () => ({ ok: true, message: "ok" }),
  fetchMetadata: async () => [],
  workflow: {
    steps: [
      {
        name: "resolve",
        run: async (ctx) => {
          await ctx.getCredentials();
          resolvedAt.set(ctx.runId, performance.now());
        },
      },
    ],
  },
});

async function floor(systemDatabaseUrl: string, sequential: number, concurrent: number) {
  const script = fileURLToPath(new URL("./dbos-floor.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, String(sequential), String(concurrent)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { PATH: process.env.PATH ?? "" },
  });
  child.stdin.end(systemDatabaseUrl);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`bench: the DBOS floor process exited with ${code}`);
  return JSON.parse(out.trim()) as { p50Ms: number; p99Ms: number; runsPerSec: number };
}

/**
 * Measures runs on a runtime started from `config` (same database as the rest of the bench).
 * @param log progress lines (stderr)
 */
export async function measureRuns(
  config: Config,
  systemDatabaseUrl: string,
  plan: { sequential: number; concurrent: number },
  log: (msg: string) => void,
): Promise<RunsFigures> {
  const rt = await startRuntime(
    { ...config, port: 0 },
    { role: "all", extraApps: [trivialApp], ui: false, logger: createLogger({ level: "silent" }) },
  );
  try {
    const op = { kind: "operator" as const, tenant: "bench", principal: "bench" };
    const { guid } = await rt.core.credentials.create(
      "bench",
      { app: "bench-trivial", authType: "token", values: { token: "bench-token-value-0123456789" } },
      op,
    );
    const wf = await rt.core.stateStore.createWorkflow({
      tenant: "bench",
      app: "bench-trivial",
      credentialGuid: guid,
      config: {},
      schedule: null,
    });

    log(`runs: ${plan.sequential} sequential runs (trigger -> credentials resolved)`);
    const latencies: number[] = [];
    for (let i = 0; i < plan.sequential + 20; i++) {
      const t0 = performance.now();
      const runId = await rt.orchestrator.startRun(wf.id, { trigger: "bench", tenant: wf.tenant });
      const status = await rt.orchestrator.waitForRun(runId, 30_000);
      if (status !== "succeeded") throw new Error(`bench: run ${runId} ${status}`);
      if (i >= 20) latencies.push((resolvedAt.get(runId) as number) - t0);
    }
    log(`runs: ${plan.concurrent} concurrent runs, one worker`);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: plan.concurrent }, () => rt.orchestrator.startRun(wf.id, { tenant: wf.tenant })),
    );
    // One aggregate poll (not one per run, which would load the database it measures).
    const counts = async () =>
      (
        await rt.core.db.statePool.query<{ done: string; failed: string }>(
          `SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed')) AS done, count(*) FILTER (WHERE status = 'failed') AS failed
             FROM state.run WHERE workflow_id = $1 AND trigger = 'api'`,
          [wf.id],
        )
      ).rows[0];
    const deadline = Date.now() + 300_000;
    let c = await counts();
    while (Number(c?.done) < plan.concurrent && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      c = await counts();
    }
    const seconds = (performance.now() - t0) / 1000;
    if (Number(c?.done) < plan.concurrent || Number(c?.failed) > 0) {
      throw new Error(
        `bench: concurrent runs: ${c?.done} finished, ${c?.failed} failed of ${plan.concurrent}`,
      );
    }

    log("runs: the floor (bare DBOS workflow of two empty steps, own process)");
    const f = await floor(systemDatabaseUrl, plan.sequential, plan.concurrent);
    const sorted = Float64Array.from(latencies).sort();
    const runsPerSec = plan.concurrent / seconds;
    return {
      trigger_resolve_p50_ms: percentile(sorted, 50),
      trigger_resolve_p99_ms: percentile(sorted, 99),
      runs_per_s: runsPerSec,
      floor_trigger_p50_ms: f.p50Ms,
      floor_trigger_p99_ms: f.p99Ms,
      floor_runs_per_s: f.runsPerSec,
      runs_ratio_to_floor: runsPerSec / f.runsPerSec,
      runs_sequential: plan.sequential,
      runs_concurrent: plan.concurrent,
    };
  } finally {
    await rt.close();
  }
}
