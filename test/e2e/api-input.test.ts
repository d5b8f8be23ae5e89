/**
 * Bad input through the HTTP API: hostile ids (case 005), tokens in logs and audit (case 010),
 * check-and-set on rotation (case 011), body limits and malformed JSON. Every refusal is a
 * problem+json 4xx with a stable code, and the server keeps serving.
 */
import fs from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canaryForms, sweepBuffers } from "../helpers/canary.js";
import { adminQuery } from "../helpers/core.js";
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
      port: 5432,
      database: "postgres",
      username: "someone",
      password: "api-input-password-1",
    },
  });
  expect(res.status).toBe(201);
  guid = res.body.guid as string;
});
afterAll(async () => {
  await t?.close();
});

function expectProblem(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number[],
  code?: string,
) {
  expect(status).toContain(res.status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body).toMatchObject({
    status: res.status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  if (code) expect(res.body.code).toBe(code);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
}

describe("case 005: hostile identifiers are refused before any lookup", () => {
  const hostile = [
    "../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fsecrets",
    "abc'; DROP TABLE x;--",
    "a".repeat(10_000),
    "abc%00def",
    "%F0%9F%94%91%F0%9F%94%91",
  ];
  const routes = [
    (id: string) => `/api/v1/credentials/${id}`,
    (id: string) => `/api/v1/workflows/${id}`,
    (id: string) => `/api/v1/runs/${id}`,
    (id: string) => `/api/v1/workflows/${id}/runs`,
  ];
  const cases = routes.flatMap((route) =>
    hostile.map((h) => {
      const raw = h.includes("%") ? h : encodeURIComponent(h);
      return [route(raw).slice(0, 70), route(raw)] as const;
    }),
  );
  it.each(cases)("GET %s -> 400/404 problem", async (_label, url) => {
    const res = await t.api.get(url);
    expectProblem(res, [400, 404]);
    expect(["INVALID_ID", "NOT_FOUND"]).toContain(res.body.code);
  });

  it("refuses hostile ids in bodies and keeps serving", async () => {
    const res = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: "../../etc/passwd",
      config: {},
    });
    expectProblem(res, [400], "INVALID_ID");
    const ok = await t.api.get(`/api/v1/credentials/${guid}`);
    expect(ok.status).toBe(200);
  });

  it("another tenant's GUID looks like an unknown one, and the probe is audited", async () => {
    const { token, record } = await t.runtime.tokens.create({
      tenant: "other",
      role: "admin",
      name: "other tenant",
    });
    const res = await t.api.get(`/api/v1/credentials/${guid}`, { authorization: `Bearer ${token}` });
    expectProblem(res, [404], "CREDENTIAL_NOT_FOUND");
    const del = await t.api.request("DELETE", `/api/v1/credentials/${guid}`, undefined, {
      authorization: `Bearer ${token}`,
    });
    expectProblem(del, [404], "CREDENTIAL_NOT_FOUND");
    const probes = await t.runtime.core.audit.query({ guid, action: "deny" });
    expect(probes.map((e) => [e.tenant, e.accessor, e.outcome])).toEqual([
      ["other", `token:${record.id}`, "CREDENTIAL_NOT_FOUND"],
      ["other", `token:${record.id}`, "CREDENTIAL_NOT_FOUND"],
    ]);
    expect((await t.api.get(`/api/v1/credentials/${guid}`)).status).toBe(200);
  });

  it("a malformed percent-encoding in the URL is a problem+json 400", async () => {
    const res = await t.api.get("/api/v1/credentials/%E0%A4%A");
    expectProblem(res, [400], "BAD_REQUEST");
  });
});

describe("request validation", () => {
  it("malformed JSON -> 400 BAD_REQUEST", async () => {
    const res = await t.api.request("POST", "/api/v1/credentials", "{not json", {});
    expectProblem(res, [400], "BAD_REQUEST");
  });
  it("a body over 64 KiB -> 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: { password: "x".repeat(70_000) },
    });
    expectProblem(res, [413], "PAYLOAD_TOO_LARGE");
  });
  it("unknown fields are refused and the values are not echoed", async () => {
    const res = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: {
        host: "h",
        port: 5432,
        database: "d",
        username: "u",
        password: "echo-me-not-123456",
        color: "blue",
      },
    });
    expectProblem(res, [400, 422]);
    expect(res.text).not.toContain("echo-me-not-123456");
  });
  it("NUL characters, lone surrogates and deep nesting are refused with 400 before anything is written", async () => {
    const nul = await t.api.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: guid,
      config: { include: ["sal\u0000es.*"] },
    });
    expectProblem(nul, [400], "BAD_REQUEST");
    const surrogate = await t.api.request(
      "PUT",
      `/api/v1/credentials/${guid}`,
      '{"values":{"password":"a\\ud800bcdefgh"}}',
    );
    expectProblem(surrogate, [400], "BAD_REQUEST");
    const rotate = await t.api.request(
      "PUT",
      `/api/v1/credentials/${guid}`,
      '{"values":{"username":"a\\u0000b"}}',
    );
    expectProblem(rotate, [400], "BAD_REQUEST");
    const deep = `{"app":"postgres","authType":"basic","values":{"password":${"[".repeat(5000)}"x"${"]".repeat(5000)}}}`;
    const nested = await t.api.request("POST", "/api/v1/credentials", deep);
    expectProblem(nested, [400], "BAD_REQUEST");
    const d = await t.api.get(`/api/v1/credentials/${guid}`);
    expect(d.headers.get("etag")).toBe('"1"');
  });

  it("invalid UTF-8 in a body is refused with 400, never silently replaced", async () => {
    const res = await fetch(`${t.api.baseUrl}/api/v1/credentials/${guid}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
      body: Buffer.concat([
        Buffer.from('{"values":{"password":"abc'),
        Buffer.from([0xff]),
        Buffer.from('defgh"}}'),
      ]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("BAD_REQUEST");
    expect((await t.api.get(`/api/v1/credentials/${guid}`)).headers.get("etag")).toBe('"1"');
  });

  it("an empty body with a JSON content type counts as no body", async () => {
    const res = await t.api.request("POST", `/api/v1/credentials/${guid}/test`, "", {
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
  });

  it("a workflow on another tenant's GUID is refused with 404 and the probe is audited", async () => {
    const { token, record } = await t.runtime.tokens.create({
      tenant: "prober",
      role: "operator",
      name: "prober",
    });
    const res = await t.api.post(
      "/api/v1/workflows",
      { app: "postgres", credential_guid: guid, config: {} },
      { authorization: `Bearer ${token}` },
    );
    expectProblem(res, [404], "CREDENTIAL_NOT_FOUND");
    const probes = await t.runtime.core.audit.query({ guid, action: "deny", tenant: "prober" });
    expect(probes.map((e) => e.accessor)).toEqual([`token:${record.id}`]);
  });

  it("an unknown app -> 422 CONFIG_INVALID", async () => {
    const res = await t.api.post("/api/v1/credentials", {
      app: "nope",
      authType: "basic",
      values: { password: "x-long-enough" },
    });
    expectProblem(res, [422], "CONFIG_INVALID");
  });
  it("serves the OpenAPI document without a token", async () => {
    const res = await t.api.get("/api/v1/openapi.json", { authorization: "" });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths as object)).toContain("/api/v1/credentials/{guid}");
  });
  it("sends security headers", async () => {
    const res = await t.api.get(`/api/v1/credentials/${guid}`);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("case 011: check-and-set on rotation", () => {
  const values = (pw: string) => ({
    values: { host: "127.0.0.1", port: 5432, database: "postgres", username: "someone", password: pw },
  });

  it("a stale If-Match gives 409 CONFLICT and changes nothing; exactly one version is current", async () => {
    const created = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      ...values("cas-v1-password"),
    });
    const g = created.body.guid as string;
    const [a, b] = await Promise.all([
      t.api.request("PUT", `/api/v1/credentials/${g}`, values("cas-client-a-pw"), { "if-match": '"1"' }),
      t.api.request("PUT", `/api/v1/credentials/${g}`, values("cas-client-b-pw"), { "if-match": '"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((a.status === 409 ? a : b).body.code).toBe("CONFLICT");
    const d = await t.api.get(`/api/v1/credentials/${g}`);
    expect(d.headers.get("etag")).toBe('"2"');
  });

  it("weak validators, empty rotations and If-Match on unversioned workflows are refused; DELETE honours If-Match", async () => {
    const created = await t.api.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      ...values("cas-del-password"),
    });
    const g = created.body.guid as string;
    expectProblem(
      await t.api.request("PUT", `/api/v1/credentials/${g}`, values("cas-weak-pw-1"), {
        "if-match": 'W/"1"',
      }),
      [400],
      "BAD_REQUEST",
    );
    expectProblem(
      await t.api.request("PUT", `/api/v1/credentials/${g}`, { values: {} }),
      [422],
      "CREDENTIAL_INVALID",
    );
    expectProblem(
      await t.api.request("DELETE", `/api/v1/credentials/${g}`, undefined, { "if-match": '"7"' }),
      [409],
      "CONFLICT",
    );
    expect((await t.api.get(`/api/v1/credentials/${g}`)).status).toBe(200);
    const wf = await t.api.post("/api/v1/workflows", { app: "postgres", credential_guid: g, config: {} });
    const patch = await t.api.request(
      "PATCH",
      `/api/v1/workflows/${wf.body.workflow_id}`,
      { config: {} },
      { "if-match": '"1"' },
    );
    expectProblem(patch, [400], "BAD_REQUEST");
    const delWf = await t.api.request("DELETE", `/api/v1/workflows/${wf.body.workflow_id}`, undefined, {
      "if-match": '"1"',
    });
    expectProblem(delWf, [400], "BAD_REQUEST");
    expect(
      (await t.api.request("DELETE", `/api/v1/credentials/${g}`, undefined, { "if-match": '"1"' })).status,
    ).toBe(204);
  });

  it("an If-Match the store cannot honour is refused, never ignored", async () => {
    const res = await t.api.request("PUT", `/api/v1/credentials/${guid}`, values("cas-garbage-pw"), {
      "if-match": "*, yesterday",
    });
    expectProblem(res, [400], "BAD_REQUEST");
    const d = await t.api.get(`/api/v1/credentials/${guid}`);
    expect(d.headers.get("etag")).toBe('"1"');
  });
});

describe("case 010: API tokens never reach logs or audit events", () => {
  it("successful and failed requests leave no token in the log file or the audit table", async () => {
    const wrong = `gvt_wrong_${"Z".repeat(30)}`;
    const bad = await t.api.get("/api/v1/credentials", { authorization: `Bearer ${wrong}` });
    expectProblem(bad, [401], "UNAUTHENTICATED");
    await t.api.post(`/api/v1/credentials/${guid}/test`, {});
    const log = await fs.readFile(t.logFile);
    const audit = await adminQuery(t.databaseUrl, "SELECT row_to_json(e)::text AS j FROM audit.event e");
    const where = [
      { where: "log file", data: log },
      ...audit.map((r, i) => ({ where: `audit row ${i}`, data: String(r.j) })),
    ];
    expect(sweepBuffers(where, [t.token, wrong])).toEqual([]);
    expect(canaryForms(t.token).length).toBeGreaterThan(3);
    const testAuth = audit
      .map((r) => JSON.parse(String(r.j)))
      .filter((e) => e.accessor.startsWith("test-auth:"));
    expect(testAuth.length).toBeGreaterThan(0);
    expect(testAuth[0].accessor).toMatch(/^test-auth:token:[0-9a-f-]+$/);
  });

  it("too many failed authentications from one address are rate limited with 429", async () => {
    let last = 0;
    for (let i = 0; i < 25; i++)
      last = (await t.api.get("/api/v1/credentials", { authorization: `Bearer gvt_nope_${i}` })).status;
    expect(last).toBe(429);
  });
});
