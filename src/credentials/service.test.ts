import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery, createTestCore, type TestCore } from "../../test/helpers/core.js";
import { createAppRegistry } from "../app-sdk/registry.js";
import { postgresApp } from "../apps/postgres/index.js";
import { GuidvaultError } from "../errors/index.js";
import { masker } from "../redact/index.js";
import { createPostgresSecretStore } from "../secret-store/backends/postgres.js";
import type { Accessor } from "../secret-store/types.js";
import { createCredentialService } from "./service.js";
import type { CredentialService } from "./types.js";

const op: Accessor = { kind: "operator", tenant: "acme", principal: "test" };
const apps = createAppRegistry([postgresApp]);
const values = (password: string) => ({
  host: "db.internal",
  port: 6432,
  username: "etl",
  password,
  database: "sales",
});

describe("credential service", () => {
  let core: TestCore;
  let svc: CredentialService;
  beforeAll(async () => {
    core = await createTestCore();
    svc = createCredentialService({ secretStore: core.secretStore, stateStore: core.stateStore, apps });
  });
  afterAll(async () => {
    await core?.close();
  });

  const create = (password = `pw-${randomUUID()}`) =>
    svc.create("acme", { app: "postgres", authType: "basic", values: values(password) }, op);

  it("creates both halves under one GUID and resolves them into one frozen credential", async () => {
    const password = `create-${randomUUID()}`;
    const { guid, version, warnings } = await create(password);
    expect(version).toBe(1);
    expect(warnings).toEqual([]);
    const cred = await svc.resolve(guid, op);
    expect(cred).toEqual({
      guid,
      authType: "basic",
      version: 1,
      host: "db.internal",
      port: 6432,
      username: "etl",
      password,
      database: "sales",
      extra: { sslmode: "prefer", connect_timeout: 10 },
    });
    expect(Object.isFrozen(cred)).toBe(true);
    expect(JSON.stringify(cred)).not.toContain("release");
    expect(masker.mask(`x ${password} y`)).not.toContain(password);
    cred.release();
    expect(masker.mask(`x ${password} y`)).toContain(password);

    const cfg = await core.stateStore.getCredentialConfig(guid);
    expect(JSON.stringify(cfg)).not.toContain(password);
    expect(cfg?.config).toEqual({
      host: "db.internal",
      port: 6432,
      username: "etl",
      database: "sales",
      extra: { sslmode: "prefer", connect_timeout: 10 },
    });
  });

  it("describe and list show config and metadata, never a value", async () => {
    const password = `describe-${randomUUID()}`;
    const { guid } = await create(password);
    const d = await svc.describe(guid);
    expect(d).toMatchObject({
      guid,
      tenant: "acme",
      app: "postgres",
      authType: "basic",
      version: 1,
      configVersion: 1,
      missing: null,
    });
    expect(d.secretFields).toEqual(["password"]);
    expect(JSON.stringify(d)).not.toContain(password);
    await expect(svc.describe(guid, "other")).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    const all = await svc.list("acme");
    expect(all.map((c) => c.guid)).toContain(guid);
    expect(JSON.stringify(all)).not.toContain(password);
    expect(await svc.list("other")).toEqual([]);
  });

  it("rejects invalid values before writing anything", async () => {
    const before = (await core.secretStore.list("acme")).length;
    await expect(
      svc.create(
        "acme",
        { app: "postgres", authType: "basic", values: { ...values("pw-long-enough"), bogus: 1 } },
        op,
      ),
    ).rejects.toMatchObject({ code: "CREDENTIAL_INVALID" });
    await expect(
      svc.create("acme", { app: "nope", authType: "basic", values: values("pw-long-enough") }, op),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    expect((await core.secretStore.list("acme")).length).toBe(before);
  });

  it("destroys the secret half again when the config cannot be saved (nothing half-written)", async () => {
    const failing = createCredentialService({
      secretStore: core.secretStore,
      stateStore: {
        ...core.stateStore,
        saveCredentialConfig: async () => {
          throw new GuidvaultError("STORE_UNAVAILABLE", "state store unavailable: 08006");
        },
      },
      apps,
    });
    const before = new Set((await core.secretStore.list("acme")).map((m) => m.guid));
    await expect(
      failing.create("acme", { app: "postgres", authType: "basic", values: values("half-written-pw") }, op),
    ).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
    const after = (await core.secretStore.list("acme")).filter((m) => !before.has(m.guid));
    expect(after).toEqual([]);
  });

  it("case 004: a missing credential config fails with CREDENTIAL_NOT_FOUND naming the GUID and the half", async () => {
    const { guid } = await create();
    await core.stateStore.deleteCredentialConfig(guid);
    const before = masker.registeredCount();
    const err = await svc.resolve(guid, op).catch((e: unknown) => e as GuidvaultError);
    expect(err).toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    expect(err.message).toContain(guid);
    expect(err.message).toContain("credential config (non-secret half) is missing");
    expect(masker.registeredCount()).toBe(before); // the secret half read was released
    expect(await svc.describe(guid)).toMatchObject({ missing: "credential config", app: null });
  });

  it("case 004: a missing secret half fails with CREDENTIAL_NOT_FOUND naming the GUID and the half", async () => {
    const { guid } = await create();
    await core.secretStore.destroy(guid, op);
    const err = await svc.resolve(guid, op).catch((e: unknown) => e as GuidvaultError);
    expect(err).toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    expect(err.message).toContain(guid);
    expect(err.message).toContain("secret half is missing");
    expect((await svc.list("acme")).find((c) => c.guid === guid)).toMatchObject({ missing: "secret half" });
    await svc.destroy(guid, op); // a half credential can still be cleaned up
    await expect(svc.describe(guid)).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    const unknown = randomUUID();
    await expect(svc.resolve(unknown, op)).rejects.toThrow(/neither half/);
  });

  it("case 004: halves that disagree on version give INTEGRITY_ERROR, both directions", async () => {
    const a = await create();
    await core.secretStore.rotate(a.guid, { password: "rotated-behind-the-config" });
    const behind = await svc.resolve(a.guid, op).catch((e: unknown) => e as GuidvaultError);
    expect(behind).toMatchObject({ code: "INTEGRITY_ERROR" });
    expect(behind.message).toContain("secret half v2, credential config v1");
    expect(behind.message).not.toContain("rotated-behind-the-config");

    const b = await create();
    await adminQuery(core.databaseUrl, "UPDATE state.credential_config SET version = 7 WHERE guid = $1", [
      b.guid,
    ]);
    await expect(svc.resolve(b.guid, op)).rejects.toMatchObject({ code: "INTEGRITY_ERROR" });
  });

  it("rotates secret fields only, non-secret fields only, or both; each rotation is one new version", async () => {
    const { guid } = await create("first-password-1");
    expect(await svc.rotate(guid, { password: "second-password-2" }, { accessor: op })).toMatchObject({
      version: 2,
    });
    let cred = await svc.resolve(guid, op);
    expect(cred).toMatchObject({
      version: 2,
      password: "second-password-2",
      host: "db.internal",
      port: 6432,
    });
    cred.release();

    expect(
      await svc.rotate(
        guid,
        { port: 7432, extra: { sslmode: "require" } },
        { accessor: op, expectedVersion: 2 },
      ),
    ).toMatchObject({ version: 3 });
    cred = await svc.resolve(guid, op);
    expect(cred).toMatchObject({
      version: 3,
      password: "second-password-2",
      port: 7432,
      extra: { sslmode: "require", connect_timeout: 10 },
    });
    cred.release();

    await svc.rotate(guid, { host: "db2.internal", password: "third-password-3" }, { accessor: op });
    cred = await svc.resolve(guid, op);
    expect(cred).toMatchObject({ version: 4, host: "db2.internal", password: "third-password-3" });
    cred.release();
    expect((await core.stateStore.getCredentialConfig(guid))?.version).toBe(4);

    await expect(
      svc.rotate(guid, { password: "x-long-enough", bogus: true }, { accessor: op }),
    ).rejects.toMatchObject({
      code: "CREDENTIAL_INVALID",
    });
    await expect(
      svc.rotate(guid, { password: "x-long-enough" }, { accessor: { ...op, tenant: "other" } }),
    ).rejects.toMatchObject({
      code: "CREDENTIAL_NOT_FOUND",
    });
  });

  it("case 011: a stale expected version is refused with CONFLICT and nothing changes; concurrent rotations: one wins", async () => {
    const { guid } = await create("cas-original-pw");
    await expect(
      svc.rotate(guid, { password: "cas-stale-pw" }, { accessor: op, expectedVersion: 5 }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const both = await Promise.allSettled([
      svc.rotate(guid, { password: "cas-client-a" }, { accessor: op, expectedVersion: 1 }),
      svc.rotate(guid, { password: "cas-client-b" }, { accessor: op, expectedVersion: 1 }),
    ]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((both.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({
      code: "CONFLICT",
    });
    const cred = await svc.resolve(guid, op);
    expect(cred.version).toBe(2);
    expect(["cas-client-a", "cas-client-b"]).toContain(cred.password);
    cred.release();
  });

  it("destroys both halves; another tenant cannot", async () => {
    const { guid } = await create();
    await expect(svc.destroy(guid, { ...op, tenant: "other" })).rejects.toMatchObject({
      code: "CREDENTIAL_NOT_FOUND",
    });
    await svc.destroy(guid, op);
    expect(await core.stateStore.getCredentialConfig(guid)).toBeUndefined();
    await expect(core.secretStore.describe(guid)).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    await expect(svc.resolve(guid, op)).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
    await expect(svc.destroy(guid, op)).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
  });

  it("validates ids before any lookup (case 005)", async () => {
    for (const bad of ["../../etc/passwd", "abc'; DROP TABLE x;--", "a\u0000b"]) {
      await expect(svc.resolve(bad, op)).rejects.toMatchObject({ code: "INVALID_ID" });
      await expect(svc.describe(bad)).rejects.toMatchObject({ code: "INVALID_ID" });
      await expect(svc.destroy(bad, op)).rejects.toMatchObject({ code: "INVALID_ID" });
    }
  });

  it("case 003: a store that is down gives STORE_UNAVAILABLE, never an empty or partial credential", async () => {
    const { guid } = await create("store-down-password");
    const dead = new pg.Pool({
      host: "127.0.0.1",
      port: 1,
      user: "x",
      password: "y",
      database: "z",
      connectionTimeoutMillis: 1000,
    });
    dead.on("error", () => {});
    try {
      const secretDown = createCredentialService({
        secretStore: createPostgresSecretStore({
          pool: dead,
          audit: core.audit,
          masterKey: core.masterKeyBytes,
        }),
        stateStore: core.stateStore,
        apps,
      });
      await expect(secretDown.resolve(guid, op)).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
      const stateDown = createCredentialService({
        secretStore: core.secretStore,
        stateStore: {
          ...core.stateStore,
          getCredentialConfig: async () => {
            throw new GuidvaultError("STORE_UNAVAILABLE", "state store unavailable: ECONNREFUSED");
          },
        },
        apps,
      });
      const before = masker.registeredCount();
      await expect(stateDown.resolve(guid, op)).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
      expect(masker.registeredCount()).toBe(before);
    } finally {
      await dead.end();
    }
  });

  describe("refuses input jsonb cannot hold or walkers cannot recurse into, before writing anything", () => {
    const deep = (levels: number): unknown => {
      let v: unknown = "leaf";
      for (let i = 0; i < levels; i++) v = { a: v };
      return v;
    };
    const secret = `S3cret-${randomUUID()}`;
    const bad: Array<[string, Record<string, unknown>]> = [
      ["extra nested 5000 deep", { extra: deep(5000) }],
      [
        "password nested 20000 arrays deep",
        { password: JSON.parse(`${"[".repeat(20_000)}"${secret}"${"]".repeat(20_000)}`) },
      ],
      ["a NUL in the username", { username: `etl\u0000${secret}` }],
      ["a lone surrogate in the password", { password: `${secret}\uD800` }],
    ];

    it.each(bad)("create: %s", async (_case, patch) => {
      const before = (await core.secretStore.list("acme")).length;
      const err = await svc
        .create("acme", { app: "postgres", authType: "basic", values: { ...values(secret), ...patch } }, op)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GuidvaultError);
      expect(err).toMatchObject({ code: "CREDENTIAL_INVALID" });
      expect((err as Error).message).not.toContain(secret);
      expect((await core.secretStore.list("acme")).length).toBe(before);
    });

    it.each(bad)("rotate: %s, and the halves stay at one version", async (_case, patch) => {
      const { guid } = await create(`rotate-${randomUUID()}`);
      await svc.rotate(guid, { port: 7000 }, { accessor: op });
      const err = await svc.rotate(guid, patch, { accessor: op }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GuidvaultError);
      expect(err).toMatchObject({ code: "CREDENTIAL_INVALID" });
      expect((err as Error).message).not.toContain(secret);
      const d = await svc.describe(guid);
      expect(d).toMatchObject({ version: 2, configVersion: 2, missing: null });
      const cred = await svc.resolve(guid, op);
      expect(cred).toMatchObject({ version: 2, port: 7000, username: "etl" });
      cred.release();
    });
  });

  it("a denied run accessor learns nothing about the halves (ACCESS_DENIED first)", async () => {
    const { guid } = await create();
    await core.stateStore.deleteCredentialConfig(guid);
    const run: Accessor = {
      kind: "run",
      tenant: "acme",
      workflowId: randomUUID(),
      runId: randomUUID(),
      step: "s",
    };
    await expect(svc.resolve(guid, run)).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });
});
