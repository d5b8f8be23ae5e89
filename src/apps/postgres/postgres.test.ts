import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminQuery, createTestCore, type TestCore } from "../../../test/helpers/core.js";
import {
  CASE_001_PASSWORD,
  createSourceDatabase,
  credentialValues,
  type SourceDatabase,
} from "../../../test/helpers/source-db.js";
import { createAppRegistry } from "../../app-sdk/registry.js";
import { createCredentialService } from "../../credentials/service.js";
import type { CredentialService } from "../../credentials/types.js";
import type { Accessor } from "../../secret-store/types.js";
import { postgresApp } from "./index.js";

const testAuth: Accessor = { kind: "test-auth", tenant: "acme", principal: "token:test" };

describe("postgres app: testAuth and fetchMetadata", () => {
  let core: TestCore;
  let src: SourceDatabase;
  let svc: CredentialService;
  const credential = async (over: Record<string, unknown> = {}) =>
    (
      await svc.create(
        "acme",
        {
          app: "postgres",
          authType: "basic",
          values: {
            ...credentialValues(src),
            ...over,
          },
        },
        testAuth,
      )
    ).guid;

  beforeAll(async () => {
    [core, src] = await Promise.all([createTestCore(), createSourceDatabase()]);
    svc = createCredentialService({
      secretStore: core.secretStore,
      stateStore: core.stateStore,
      apps: createAppRegistry([postgresApp]),
      audit: core.audit,
    });
  });
  afterAll(async () => {
    await core?.close();
    await src?.drop();
  });

  it("case 001: testAuth succeeds with a password holding p@ss:w/rd%20#?&=;'\"\\ (scram-sha-256)", async () => {
    expect(src.password.startsWith(CASE_001_PASSWORD)).toBe(true);
    const [role] = await adminQuery<{ scram: boolean }>(
      inject("pgUrl"),
      "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = $1",
      [src.username],
    );
    expect(role?.scram).toBe(true);
    const guid = await credential();
    const r = await svc.testAuth(guid, testAuth);
    expect(r.ok).toBe(true);
    expect(r.message).toContain(`${src.host}:${src.port}`);
    expect(r.message).toContain(src.username);
    expect(r.message).not.toContain(src.canary);
    expect(r.message).not.toContain(CASE_001_PASSWORD);
    const events = await core.audit.query({ guid });
    expect(events.map((e) => [e.action, e.accessor, e.outcome])).toContainEqual([
      "test-auth",
      "test-auth:token:test",
      "ok",
    ]);
    expect(events.map((e) => e.action)).toContain("resolve");
  });

  it("a wrong password fails clearly, naming host and user, never a password", async () => {
    const wrong = `wrong-${src.canary}-x`;
    const guid = await credential({ password: wrong });
    const r = await svc.testAuth(guid, testAuth);
    expect(r).toEqual({
      ok: false,
      message: `password authentication failed for user "${src.username}" on ${src.host}:${src.port}`,
    });
    expect(r.message).not.toContain(src.canary);
  });

  it("an unreachable server fails with 'could not connect to host:port: ECONNREFUSED'", async () => {
    const guid = await credential({ host: "127.0.0.1", port: 1 });
    expect(await svc.testAuth(guid, testAuth)).toEqual({
      ok: false,
      message: "could not connect to 127.0.0.1:1: ECONNREFUSED",
    });
  });

  it("a missing database and an unknown host are named", async () => {
    const noDb = await credential({ database: "no_such_db" });
    expect((await svc.testAuth(noDb, testAuth)).message).toBe(
      `database "no_such_db" does not exist on ${src.host}:${src.port}`,
    );
    const noHost = await credential({ host: "no-such-host.invalid" });
    expect((await svc.testAuth(noHost, testAuth)).message).toMatch(
      /^could not resolve host "no-such-host.invalid": (ENOTFOUND|EAI_AGAIN)$/,
    );
  });

  it("sslmode require against a server without TLS is refused clearly; prefer falls back", async () => {
    const req = await credential({ extra: { sslmode: "require" } });
    const r = await svc.testAuth(req, testAuth);
    expect(r.ok).toBe(false);
    expect(r.message).toContain("does not offer TLS");
    const disable = await credential({ extra: { sslmode: "disable" } });
    expect((await svc.testAuth(disable, testAuth)).ok).toBe(true);
  });

  it("fetchMetadata lists databases (no templates) and schemas (no system schemas)", async () => {
    const guid = await credential();
    const dbs = (await svc.fetchMetadata(guid, { type: "databases" }, testAuth)) as {
      type: string;
      items: Array<{ name: string }>;
    };
    const names = dbs.items.map((d) => d.name);
    expect(names).toContain(src.database);
    expect(names).not.toContain("template0");
    expect(names).not.toContain("template1");
    const schemas = (await svc.fetchMetadata(guid, { type: "schemas" }, testAuth)) as {
      database: string;
      items: Array<{ name: string }>;
    };
    expect(schemas.database).toBe(src.database);
    expect(schemas.items.map((s) => s.name)).toEqual(src.expected.schemas);
    expect(schemas.items.map((s) => s.name).filter((n) => /^(pg_|information_schema)/.test(n))).toEqual([]);
    const other = (await svc.fetchMetadata(guid, { type: "schemas", database: "postgres" }, testAuth)) as {
      database: string;
    };
    expect(other.database).toBe("postgres");
    await expect(svc.fetchMetadata(guid, { type: "tables" }, testAuth)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("fetchMetadata with a wrong password throws AUTH_FAILED without the password", async () => {
    const guid = await credential({ password: `bad-${src.canary}` });
    const err = (await svc
      .fetchMetadata(guid, { type: "databases" }, testAuth)
      .catch((e: unknown) => e)) as Error & { code: string };
    expect(err).toMatchObject({ code: "AUTH_FAILED" });
    expect(err.message).not.toContain(src.canary);
  });
});
