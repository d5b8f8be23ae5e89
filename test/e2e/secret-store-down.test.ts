/**
 * Case 003: the secret store's database is unreachable while a run resolves its credential.
 * The secret schema lives on its own PostgreSQL (GUIDVAULT_SECRETS_DATABASE_URL), which the test
 * stops mid-way. Resolution must throw STORE_UNAVAILABLE, the activity must retry with backoff,
 * and the run must fail with that code: never an empty or partial credential.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "../../src/db/embedded.js";
import { startTestRuntime, type TestRuntime } from "../helpers/runtime.js";
import { createSourceDatabase, credentialValues, type SourceDatabase } from "../helpers/source-db.js";

let secretsPg: EmbeddedPostgresHandle;
let secretsDir: string;
let t: TestRuntime;
let src: SourceDatabase;

beforeAll(async () => {
  secretsDir = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-secrets-pg-"));
  secretsPg = await startEmbeddedPostgres({ dataDir: secretsDir });
  const c = new pg.Client(secretsPg.url);
  await c.connect();
  await c.query("CREATE DATABASE secrets_only");
  await c.end();
  const url = new URL(secretsPg.url);
  url.pathname = "/secrets_only";
  src = await createSourceDatabase();
  t = await startTestRuntime({
    env: { GUIDVAULT_SECRETS_DATABASE_URL: url.toString() },
    retry: { maxAttempts: 3, intervalSeconds: 0.05 },
  });
});
afterAll(async () => {
  await t?.close();
  await secretsPg?.stop();
  await src?.drop();
  await fs.rm(secretsDir, { recursive: true, force: true });
});

describe("case 003: the secret store's database goes down", () => {
  it("keeps secrets on the separate server: the main database has no secret schema", async () => {
    const c = new pg.Client(t.databaseUrl);
    await c.connect();
    const { rowCount } = await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'secret'");
    await c.end();
    expect(rowCount).toBe(0);
  });

  it("a run retries, then fails with STORE_UNAVAILABLE; no empty credential reaches the app", async () => {
    const cred = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: {
        ...credentialValues(src),
      },
    });
    expect(cred.status, cred.text).toBe(201);
    const guid = cred.body.guid as string;
    const wf = await t.api.post("/api/v1/workflows", { app: "postgres", credential_guid: guid, config: {} });
    await secretsPg.stop();

    const started = await t.api.post(`/api/v1/workflows/${wf.body.workflow_id}/runs`);
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    expect(await t.runtime.orchestrator.waitForRun(runId, 60_000)).toBe("failed");
    const run = await t.api.get(`/api/v1/runs/${runId}`);
    expect(run.body.error).toMatchObject({ code: "STORE_UNAVAILABLE" });
    // Each attempt writes an "allowed" audit event before the read fails: 3 attempts = 3 events.
    const allowed = (await t.runtime.core.audit.query({ guid, action: "resolve" })).filter(
      (e) => e.outcome === "allowed",
    );
    expect(allowed).toHaveLength(3);
    // The app never connected: the source saw no login from its role during the run.
    expect(run.body.counts).not.toMatchObject({ databases: expect.any(Number) });
  });

  it("the API answers 503 STORE_UNAVAILABLE, never a 500 or an empty credential", async () => {
    const res = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: {
        ...credentialValues(src, "another-password-1"),
      },
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: "STORE_UNAVAILABLE" });
  });
});
