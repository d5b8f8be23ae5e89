import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCore, type TestCore } from "../../test/helpers/core.js";
import { createPostgresStateStore } from "./backends/postgres.js";
import type { StateStore } from "./types.js";

describe("state store (PostgreSQL backend)", () => {
  let core: TestCore;
  let store: StateStore;
  beforeAll(async () => {
    core = await createTestCore();
    store = createPostgresStateStore({ pool: core.db.statePool });
  });
  afterAll(async () => {
    await core?.close();
  });

  const newWorkflow = (credentialGuid = randomUUID(), tenant = "acme") =>
    store.createWorkflow({
      tenant,
      app: "postgres",
      credentialGuid,
      config: { include: ["db.public"] },
      schedule: null,
    });

  it("round-trips a credential config; a save never moves the version back", async () => {
    const guid = randomUUID();
    await store.saveCredentialConfig({
      guid,
      tenant: "acme",
      app: "postgres",
      authType: "basic",
      config: { host: "db.internal", port: 5432, extra: { sslmode: "prefer" } },
      version: 1,
    });
    const got = await store.getCredentialConfig(guid.toUpperCase());
    expect(got).toMatchObject({ guid, tenant: "acme", app: "postgres", authType: "basic", version: 1 });
    expect(got?.config).toEqual({ host: "db.internal", port: 5432, extra: { sslmode: "prefer" } });
    expect(got?.createdAt).toBeInstanceOf(Date);

    await store.saveCredentialConfig({
      guid,
      tenant: "acme",
      app: "postgres",
      authType: "basic",
      config: { host: "h2" },
      version: 2,
    });
    expect((await store.getCredentialConfig(guid))?.config).toEqual({ host: "h2" });
    await expect(
      store.saveCredentialConfig({
        guid,
        tenant: "acme",
        app: "postgres",
        authType: "basic",
        config: { host: "old" },
        version: 1,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      store.saveCredentialConfig({
        guid,
        tenant: "other",
        app: "postgres",
        authType: "basic",
        config: {},
        version: 3,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });

    expect((await store.listCredentialConfigs("acme")).map((c) => c.guid)).toContain(guid);
    expect(await store.listCredentialConfigs("other")).toEqual([]);
    await store.deleteCredentialConfig(guid);
    expect(await store.getCredentialConfig(guid)).toBeUndefined();
  });

  it("refuses a credential config or workflow config holding a secret-looking key", async () => {
    const base = { guid: randomUUID(), tenant: "acme", app: "postgres", authType: "basic", version: 1 };
    const err = await store
      .saveCredentialConfig({ ...base, config: { host: "h", extra: { private_key: "-----BEGIN" } } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "CREDENTIAL_INVALID" });
    expect(String((err as Error).message)).toContain("extra.private_key");
    expect(String((err as Error).message)).not.toContain("BEGIN");
    await expect(store.saveCredentialConfig({ ...base, config: { Password: "x" } })).rejects.toMatchObject({
      code: "CREDENTIAL_INVALID",
    });
    await expect(
      store.createWorkflow({
        tenant: "acme",
        app: "postgres",
        credentialGuid: randomUUID(),
        config: { api_token: "t" },
        schedule: null,
      }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    const w = await newWorkflow();
    await expect(store.updateWorkflow(w.id, { config: { nested: [{ secret: "s" }] } })).rejects.toMatchObject(
      {
        code: "CONFIG_INVALID",
      },
    );
  });

  it("validates ids before any lookup (case 005)", async () => {
    for (const bad of [
      "../../etc/passwd",
      "%2e%2e%2f%2e%2e%2fsecrets",
      "abc'; DROP TABLE x;--",
      "x".repeat(10_000),
      "a\u0000b",
      "🙂🙂",
    ]) {
      await expect(store.getCredentialConfig(bad)).rejects.toMatchObject({ code: "INVALID_ID" });
      await expect(store.getWorkflow(bad)).rejects.toMatchObject({ code: "INVALID_ID" });
      await expect(store.getRun(bad)).rejects.toMatchObject({ code: "INVALID_ID" });
      await expect(store.listCredentialConfigs(bad)).rejects.toMatchObject({ code: "INVALID_ID" });
      expect(await store.isRunAllowed(bad, "acme", bad, bad)).toBe(false);
    }
  });

  it("round-trips a workflow config with its schedule", async () => {
    const guid = randomUUID();
    const w = await store.createWorkflow({
      tenant: "acme",
      app: "postgres",
      credentialGuid: guid,
      config: { include: ["sales.*"] },
      schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin", paused: false },
    });
    expect(await store.getWorkflow(w.id)).toEqual(w);
    expect(w.schedule).toEqual({ cron: "*/5 * * * *", timezone: "Europe/Berlin", paused: false });
    expect((await store.listScheduledWorkflows()).map((x) => x.id)).toContain(w.id);
    expect((await store.listWorkflowsByCredential(guid)).map((x) => x.id)).toEqual([w.id]);

    const paused = await store.updateWorkflow(w.id, {
      schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin", paused: true },
    });
    expect(paused.schedule?.paused).toBe(true);
    expect((await store.listScheduledWorkflows()).map((x) => x.id)).not.toContain(w.id);

    await expect(
      store.updateWorkflow(w.id, { schedule: { cron: "not a cron", timezone: "UTC", paused: false } }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    await expect(
      store.updateWorkflow(w.id, {
        schedule: { cron: "0 * * * *", timezone: "Mars/Olympus", paused: false },
      }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    const cleared = await store.updateWorkflow(w.id, { schedule: null, config: { include: [] } });
    expect(cleared.schedule).toBeNull();
    expect(cleared.config).toEqual({ include: [] });
    await expect(store.updateWorkflow(randomUUID(), { config: {} })).rejects.toMatchObject({
      code: "WORKFLOW_NOT_FOUND",
    });
    await store.deleteWorkflow(w.id);
    expect(await store.getWorkflow(w.id)).toBeUndefined();
  });

  it("tracks a run: running, counts added atomically, output dir, masked error, finished", async () => {
    const w = await newWorkflow();
    const id = randomUUID();
    const run = await store.createRun({ id, workflowId: w.id, tenant: "acme", trigger: "manual" });
    expect(run).toMatchObject({
      id,
      workflowId: w.id,
      status: "pending",
      counts: {},
      error: null,
      outputDir: null,
    });
    expect(await store.createRun({ id, workflowId: w.id, tenant: "acme", trigger: "manual" })).toMatchObject({
      id,
    });
    await expect(
      store.createRun({ id: randomUUID(), workflowId: w.id, tenant: "other", trigger: "manual" }),
    ).rejects.toMatchObject({
      code: "WORKFLOW_NOT_FOUND",
    });

    await store.markRunning(id);
    await Promise.all(Array.from({ length: 20 }, () => store.addCounts(id, { tables: 1, columns: 3 })));
    await store.addCounts(id, { databases: 1 });
    await store.setOutputDir(id, "/data/runs/x");
    let got = await store.getRun(id);
    expect(got).toMatchObject({
      status: "running",
      counts: { tables: 20, columns: 60, databases: 1 },
      outputDir: "/data/runs/x",
    });
    expect(got?.startedAt).toBeInstanceOf(Date);

    await store.finishRun(id, "failed", {
      code: "AUTH_FAILED",
      detail: "password authentication failed for user etl",
    });
    got = await store.getRun(id);
    expect(got).toMatchObject({
      status: "failed",
      error: { code: "AUTH_FAILED", detail: "password authentication failed for user etl" },
    });
    expect(got?.finishedAt).toBeInstanceOf(Date);
    await expect(store.markRunning(id)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await store.listRuns(w.id)).map((r) => r.id)).toEqual([id]);
    await expect(store.addCounts(randomUUID(), { x: 1 })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(store.addCounts(id, { x: 1.5 })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("a run error holding a connection-string password is stored masked (case 009)", async () => {
    const w = await newWorkflow();
    const id = randomUUID();
    await store.createRun({ id, workflowId: w.id, tenant: "acme", trigger: "api" });
    await store.finishRun(id, "failed", {
      code: "INTERNAL",
      detail: "auth failed for postgresql://etl:Pa55-Canary-9f1@db:5432/x",
    });
    const got = await store.getRun(id);
    expect(got?.error?.detail).not.toContain("Pa55-Canary-9f1");
  });

  it("allows a GUID only to a running run of a workflow referencing it, in the same tenant (access rule)", async () => {
    const guid = randomUUID();
    const w = await newWorkflow(guid);
    const other = await newWorkflow(randomUUID());
    const runId = randomUUID();
    await store.createRun({ id: runId, workflowId: w.id, tenant: "acme", trigger: "manual" });
    expect(await store.isRunAllowed(guid, "acme", w.id, runId)).toBe(false); // pending
    await store.markRunning(runId);
    expect(await store.isRunAllowed(guid, "acme", w.id, runId)).toBe(true);
    expect(await store.isRunAllowed(guid.toUpperCase(), "acme", w.id, runId)).toBe(true);
    expect(await store.isRunAllowed(guid, "other", w.id, runId)).toBe(false);
    expect(await store.isRunAllowed(guid, "acme", other.id, runId)).toBe(false);
    const otherRun = randomUUID();
    await store.createRun({ id: otherRun, workflowId: other.id, tenant: "acme", trigger: "manual" });
    await store.markRunning(otherRun);
    expect(await store.isRunAllowed(guid, "acme", other.id, otherRun)).toBe(false);
    await store.finishRun(runId, "succeeded");
    expect(await store.isRunAllowed(guid, "acme", w.id, runId)).toBe(false);
  });

  it("stores API tokens by SHA-256 hash only", async () => {
    const token = randomBytes(32).toString("base64url");
    const hash = createHash("sha256").update(token).digest();
    const before = await store.countTokens();
    const t = await store.createToken({ tenant: "acme", role: "operator", name: "ci", tokenHash: hash });
    expect(t).toMatchObject({ tenant: "acme", role: "operator", name: "ci" });
    expect(await store.findTokenByHash(hash)).toEqual(t);
    expect(await store.findTokenByHash(createHash("sha256").update("other").digest())).toBeUndefined();
    expect(await store.countTokens()).toBe(before + 1);
    await expect(
      store.createToken({ tenant: "acme", role: "operator", name: "dup", tokenHash: hash }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await store.listTokens("acme")).map((x) => x.id)).toContain(t.id);
    expect(await store.deleteToken(t.id)).toBe(true);
    expect(await store.findTokenByHash(hash)).toBeUndefined();
  });

  it("the state role cannot read or write the secret schema", async () => {
    await core.secretStore.put("acme", { password: "state-role-must-not-see" });
    for (const sql of [
      "SELECT * FROM secret.version",
      "SELECT * FROM secret.credential",
      "SELECT * FROM secret.kek",
      "DELETE FROM secret.version",
      "SELECT * FROM audit.event",
    ]) {
      await expect(core.db.statePool.query(sql)).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("maps an unreachable database to STORE_UNAVAILABLE", async () => {
    const pg = (await import("pg")).default;
    const dead = new pg.Pool({
      host: "127.0.0.1",
      port: 1,
      user: "x",
      password: "y",
      database: "z",
      connectionTimeoutMillis: 2000,
    });
    const s = createPostgresStateStore({ pool: dead });
    await expect(s.getWorkflow(randomUUID())).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await dead.end();
  });
});
