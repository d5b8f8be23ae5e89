import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery, createTestCore, type TestCore } from "../../test/helpers/core.js";
import { isGuidvaultError } from "../errors/index.js";
import type { Accessor } from "./types.js";

const op: Accessor = { kind: "operator", tenant: "acme", principal: "test" };

describe("secret store (PostgreSQL backend)", () => {
  let core: TestCore;
  beforeAll(async () => {
    core = await createTestCore();
  });
  afterAll(async () => {
    await core?.close();
  });

  it("round-trips a secret half and returns a frozen object", async () => {
    const { guid, version } = await core.secretStore.put("acme", { password: "round-trip-Secret-1" });
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(version).toBe(1);
    const got = await core.secretStore.getCredentials(guid, op);
    expect(got.secret).toEqual({ password: "round-trip-Secret-1" });
    expect(Object.isFrozen(got.secret)).toBe(true);
    expect(() => {
      (got.secret as Record<string, unknown>).password = "x";
    }).toThrow();
    got.release();
  });

  it("gives a new random GUID for identical content", async () => {
    const a = await core.secretStore.put("acme", { password: "same-content-123" });
    const b = await core.secretStore.put("acme", { password: "same-content-123" });
    expect(a.guid).not.toBe(b.guid);
  });

  it("rotates to a new version that getCredentials returns", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "version-one-pw" });
    const { version } = await core.secretStore.rotate(guid, { password: "version-two-pw" });
    expect(version).toBe(2);
    const got = await core.secretStore.getCredentials(guid, op);
    expect(got.version).toBe(2);
    expect(got.secret.password).toBe("version-two-pw");
    const meta = await core.secretStore.describe(guid);
    expect(meta.versions).toBe(2);
    expect(meta.lastAccessAt).not.toBeNull();
  });

  it("refuses a stale check-and-set version with CONFLICT and changes nothing (case 011)", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "cas-original-pw" });
    await core.secretStore.rotate(guid, { password: "cas-second-pw" }, { expectedVersion: 1 });
    const both = await Promise.allSettled([
      core.secretStore.rotate(guid, { password: "cas-client-a" }, { expectedVersion: 2 }),
      core.secretStore.rotate(guid, { password: "cas-client-b" }, { expectedVersion: 2 }),
    ]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(isGuidvaultError(rejected.reason, "CONFLICT")).toBe(true);
    const meta = await core.secretStore.describe(guid);
    expect(meta.version).toBe(3);
    expect(meta.versions).toBe(3);
  });

  it("destroy crypto-shreds: CREDENTIAL_NOT_FOUND afterwards and no wrapped DEK left", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "to-be-destroyed" });
    await core.secretStore.rotate(guid, { password: "to-be-destroyed-2" });
    await core.secretStore.destroy(guid, op);
    await expect(core.secretStore.getCredentials(guid, op)).rejects.toMatchObject({
      code: "CREDENTIAL_NOT_FOUND",
    });
    const rows = await adminQuery(
      core.databaseUrl,
      "SELECT count(*)::int AS n FROM secret.version WHERE guid = $1",
      [guid],
    );
    expect(rows[0]?.n).toBe(0);
    await expect(core.secretStore.destroy(guid, op)).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
  });

  it("an edited ciphertext byte gives INTEGRITY_ERROR", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "tamper-me-please" });
    await adminQuery(
      core.databaseUrl,
      "UPDATE secret.version SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE guid = $1",
      [guid],
    );
    await expect(core.secretStore.getCredentials(guid, op)).rejects.toMatchObject({
      code: "INTEGRITY_ERROR",
    });
  });

  it("two credentials' rows swapped in SQL both give INTEGRITY_ERROR", async () => {
    const a = await core.secretStore.put("acme", { password: "swap-a-secret" });
    const b = await core.secretStore.put("acme", { password: "swap-b-secret" });
    await adminQuery(
      core.databaseUrl,
      `WITH x AS (SELECT guid, kek_id, wrapped_dek, nonce, ciphertext FROM secret.version WHERE guid IN ($1, $2))
       UPDATE secret.version v SET kek_id = x.kek_id, wrapped_dek = x.wrapped_dek, nonce = x.nonce, ciphertext = x.ciphertext
         FROM x WHERE v.guid IN ($1, $2) AND x.guid <> v.guid`,
      [a.guid, b.guid],
    );
    await expect(core.secretStore.getCredentials(a.guid, op)).rejects.toMatchObject({
      code: "INTEGRITY_ERROR",
    });
    await expect(core.secretStore.getCredentials(b.guid, op)).rejects.toMatchObject({
      code: "INTEGRITY_ERROR",
    });
  });

  it("another tenant cannot resolve the GUID", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "tenant-bound-pw" });
    await expect(
      core.secretStore.getCredentials(guid, { kind: "operator", tenant: "other", principal: "x" }),
    ).rejects.toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
  });

  it("denies run accessors by default, and audits the denial", async () => {
    const { guid } = await core.secretStore.put("acme", { password: "deny-me-secret" });
    const run: Accessor = { kind: "run", tenant: "acme", workflowId: "w", runId: "r", step: "s" };
    await expect(core.secretStore.getCredentials(guid, run)).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    const events = await core.audit.query({ guid });
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["put", "ok"],
      ["deny", "ACCESS_DENIED"],
    ]);
  });

  it("rejects malformed GUIDs, tenants and secret halves with stable codes", async () => {
    await expect(core.secretStore.getCredentials("../../etc/passwd", op)).rejects.toMatchObject({
      code: "INVALID_ID",
    });
    await expect(core.secretStore.put("Bad Tenant", { password: "x-long-enough" })).rejects.toMatchObject({
      code: "INVALID_ID",
    });
    await expect(core.secretStore.put("acme", {})).rejects.toMatchObject({ code: "CREDENTIAL_INVALID" });
    await expect(core.secretStore.put("acme", { password: "" })).rejects.toMatchObject({
      code: "CREDENTIAL_INVALID",
    });
  });

  it("warns when a secret is shorter than the masker minimum (case 008)", async () => {
    const { warnings } = await core.secretStore.put("acme", { password: "test" });
    expect(warnings.join(" ")).toMatch(/password.*shorter than 8/);
    expect(warnings.join(" ")).not.toContain('test"');
  });

  it("lists a tenant's credentials with metadata only", async () => {
    const c = await createTestCore();
    try {
      const a = await c.secretStore.put("t1", { password: randomBytes(12).toString("hex") });
      await c.secretStore.put("t2", { password: randomBytes(12).toString("hex") });
      const list = await c.secretStore.list("t1");
      expect(list.map((m) => m.guid)).toEqual([a.guid]);
      expect(JSON.stringify(list)).not.toMatch(/password/);
    } finally {
      await c.close();
    }
  });
});
