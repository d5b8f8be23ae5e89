/**
 * Workflow schedules: cron with a time zone per workflow config, pause and resume, and no
 * double firing (a scheduled time yields one run however often it is fired).
 */
import { DBOS } from "@dbos-inc/dbos-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleName, scheduleRunId } from "../../src/orchestrator/schedules.js";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime.js";

let t: TestRuntime;
let guid: string;

beforeAll(async () => {
  t = await startTestRuntime();
  const res = await t.api.post("/api/v1/credentials", {
    app: "postgres",
    authType: "basic",
    values: {
      host: "127.0.0.1",
      port: 1,
      database: "postgres",
      username: "nobody",
      password: "schedule-test-pw",
    },
  });
  guid = res.body.guid as string;
});
afterAll(async () => {
  await t?.close();
});

describe("schedules", () => {
  it("refuses an invalid cron or time zone with 400 and a message naming the field", async () => {
    const bad = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: {},
      schedule: { cron: "61 * * * *" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/schedule\.cron/);
    const tz = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: {},
      schedule: { cron: "0 3 * * *", timezone: "Mars/Olympus" },
    });
    expect(tz.status).toBe(400);
    expect(tz.body.detail).toMatch(/timezone/);
  });

  it("creates, pauses, resumes and removes the engine schedule with the workflow config", async () => {
    const res = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: {},
      schedule: { cron: "30 2 * * 1-5", timezone: "Europe/Berlin" },
    });
    expect(res.status, res.text).toBe(201);
    const id = res.body.workflow_id as string;
    let s = await DBOS.getSchedule(scheduleName(id));
    expect(s).toMatchObject({ schedule: "30 2 * * 1-5", cronTimezone: "Europe/Berlin" });
    expect(s?.status).not.toBe("PAUSED");

    await t.api.request("PATCH", `/api/v1/workflows/${id}`, {
      schedule: { cron: "30 2 * * 1-5", timezone: "Europe/Berlin", paused: true },
    });
    expect((await DBOS.getSchedule(scheduleName(id)))?.status).toBe("PAUSED");
    await t.api.request("PATCH", `/api/v1/workflows/${id}`, {
      schedule: { cron: "0 4 * * *", timezone: "America/New_York", paused: false },
    });
    s = await DBOS.getSchedule(scheduleName(id));
    expect(s).toMatchObject({ schedule: "0 4 * * *", cronTimezone: "America/New_York" });
    expect(s?.status).not.toBe("PAUSED");
    await t.api.request("PATCH", `/api/v1/workflows/${id}`, { schedule: null });
    expect(await DBOS.getSchedule(scheduleName(id))).toBeNull();
  });

  it("fires each scheduled time once, even when fired twice (no double runs)", async () => {
    const res = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: {},
      schedule: { cron: "* * * * *", timezone: "UTC", paused: true },
    });
    const id = res.body.workflow_id as string;
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    const start = new Date(end.getTime() - 3 * 60_000);
    const first = await DBOS.backfillSchedule(scheduleName(id), start, end);
    const second = await DBOS.backfillSchedule(scheduleName(id), start, end);
    await Promise.all([...first, ...second].map((h) => h.getResult().catch(() => undefined)));
    const runs = await t.runtime.core.stateStore.listRuns(id, 100);
    expect(runs.length).toBe(first.length);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expect(runs.every((r) => r.trigger === "schedule")).toBe(true);
    for (const r of runs) await t.runtime.orchestrator.waitForRun(r.id, 30_000);
    const ids = runs.map((r) => r.id);
    const expected = [...Array(runs.length).keys()].map((i) =>
      scheduleRunId(id, new Date(end.getTime() - i * 60_000)),
    );
    expect(ids.filter((x) => expected.includes(x)).length).toBeGreaterThan(0);
  });
});

describe("deleting a workflow", () => {
  it("removes the config and its engine schedule; the credential stays", async () => {
    const res = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: {},
      schedule: { cron: "0 5 * * *", timezone: "UTC" },
    });
    const id = res.body.workflow_id as string;
    expect(await DBOS.getSchedule(scheduleName(id))).not.toBeNull();
    expect((await t.api.request("DELETE", `/api/v1/workflows/${id}`)).status).toBe(204);
    expect((await t.api.get(`/api/v1/workflows/${id}`)).body.code).toBe("WORKFLOW_NOT_FOUND");
    expect(await DBOS.getSchedule(scheduleName(id))).toBeNull();
    expect((await t.api.get(`/api/v1/credentials/${guid}`)).status).toBe(200);
  });
});
