/**
 * Workflow schedules as DBOS dynamic schedules: one per workflow config (`wf:<id>`), cron with
 * time zone, paused or active. DBOS fires each schedule time once across all processes; the run
 * id is derived from (workflow id, scheduled time) so a repeated fire cannot double-run.
 */
import { createHash } from "node:crypto";
import { DBOS } from "@dbos-inc/dbos-sdk";
import type { WorkflowConfig } from "../state-store/types.js";

/** Schedule name of a workflow. */
export function scheduleName(workflowId: string): string {
  return `wf:${workflowId}`;
}

/** Deterministic UUID-shaped run id for one scheduled fire (RFC 9562 version 8 layout). */
export function scheduleRunId(workflowId: string, at: Date): string {
  const h = createHash("sha256").update(`${workflowId}|${at.toISOString()}`).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Makes the engine's schedule match the workflow config (create, update, pause, resume, delete). */
export async function syncWorkflowSchedule(
  workflowId: string,
  wf: WorkflowConfig | undefined,
  scheduledRun: (at: Date, context: unknown) => Promise<void>,
): Promise<void> {
  const name = scheduleName(workflowId);
  const existing = await DBOS.getSchedule(name);
  if (!wf?.schedule) {
    if (existing) await DBOS.deleteSchedule(name);
    return;
  }
  const { cron, timezone, paused } = wf.schedule;
  if (!existing) {
    await DBOS.createSchedule({
      scheduleName: name,
      workflowFn: scheduledRun,
      schedule: cron,
      context: { workflow_id: workflowId },
      options: { cronTimezone: timezone, automaticBackfill: false },
    });
  } else if (existing.schedule !== cron || existing.cronTimezone !== timezone) {
    await DBOS.updateSchedule(name, { schedule: cron, cronTimezone: timezone });
  }
  const status = (await DBOS.getSchedule(name))?.status;
  if (paused && status !== "PAUSED") await DBOS.pauseSchedule(name);
  if (!paused && status === "PAUSED") await DBOS.resumeSchedule(name);
}
