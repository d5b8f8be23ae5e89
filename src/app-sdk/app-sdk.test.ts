import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { postgresApp } from "../apps/postgres/index.js";
import { isGuidvaultError } from "../errors/index.js";
import {
  type AppForm,
  authTypes,
  createActivityContext,
  createAppRegistry,
  defineApp,
  fieldsOf,
  mergeCredential,
  openJsonl,
  readJsonl,
  secret,
  splitCredential,
} from "./index.js";

const CANARY = "gvc_sdk_9b1e0c7d2f4a6b8c";

const basicValues = {
  host: "db.internal",
  username: "etl",
  password: `pw-${CANARY}`,
  database: "sales",
  extra: { sslmode: "require" },
};

function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected a throw");
}

const step = { name: "noop", run: async () => {} };
const emptyConfig: AppForm["config"] = [];

describe("app SDK: secret marking", () => {
  it("marks secret fields, nested extra.* fields included", () => {
    const basic = fieldsOf(authTypes.basic());
    expect(basic.filter((f) => f.secret).map((f) => f.path)).toEqual(["password"]);
    const cert = fieldsOf(authTypes.certificate());
    expect(cert.filter((f) => f.secret).map((f) => f.path)).toEqual([
      "extra.private_key",
      "extra.passphrase",
    ]);
    expect(
      fieldsOf(authTypes.iam_user())
        .filter((f) => f.secret)
        .map((f) => f.path),
    ).toEqual(["secret_access_key", "session_token"]);
    expect(
      fieldsOf(authTypes.oauth_client())
        .filter((f) => f.secret)
        .map((f) => f.path),
    ).toEqual(["client_secret"]);
    expect(
      fieldsOf(authTypes.iam_role())
        .filter((f) => f.secret)
        .map((f) => f.path),
    ).toEqual(["external_id"]);
    expect(
      fieldsOf(authTypes.token())
        .filter((f) => f.secret)
        .map((f) => f.path),
    ).toEqual(["token"]);
  });
});

describe("app SDK: split and merge", () => {
  it("splits basic values: the secret half holds only secret fields, the config none; defaults applied", () => {
    const split = postgresApp.splitCredential({ authType: "basic", values: basicValues });
    expect(split.secret).toEqual({ password: `pw-${CANARY}` });
    expect(split.config).toEqual({
      host: "db.internal",
      port: 5432,
      username: "etl",
      database: "sales",
      extra: { sslmode: "require", connect_timeout: 10 },
    });
    expect(JSON.stringify(split.config)).not.toContain(CANARY);
  });

  it("splits nested secret extra.* fields (certificate) into the secret half", () => {
    const types = { certificate: authTypes.certificate() };
    const pem = (k: string) => `-----BEGIN ${k}-----\nMIIB${CANARY}\n-----END ${k}-----`;
    const split = splitCredential("x", types, {
      authType: "certificate",
      values: {
        host: "h",
        extra: {
          certificate: pem("CERTIFICATE"),
          private_key: pem("PRIVATE KEY"),
          passphrase: "pp-long-enough",
        },
      },
    });
    expect(split.secret).toEqual({
      extra: { private_key: pem("PRIVATE KEY"), passphrase: "pp-long-enough" },
    });
    expect(split.config).toEqual({ host: "h", port: 443, extra: { certificate: pem("CERTIFICATE") } });
    const merged = mergeCredential("x", types, {
      guid: "g",
      authType: "certificate",
      version: 1,
      config: split.config,
      secret: split.secret,
    });
    expect(merged).toMatchObject({
      host: "h",
      extra: { private_key: pem("PRIVATE KEY"), certificate: pem("CERTIFICATE") },
    });
  });

  it("merges both halves into one deeply frozen credential", () => {
    const split = postgresApp.splitCredential({ authType: "basic", values: basicValues });
    const cred = postgresApp.mergeCredential({
      guid: "g-1",
      authType: "basic",
      version: 3,
      config: split.config,
      secret: split.secret,
    });
    expect(cred).toEqual({
      ...split.config,
      password: `pw-${CANARY}`,
      guid: "g-1",
      authType: "basic",
      version: 3,
    });
    expect(Object.isFrozen(cred)).toBe(true);
    expect(Object.isFrozen(cred.extra)).toBe(true);
  });

  it("rejects unknown fields, top level and in extra", () => {
    const top = thrown(() =>
      postgresApp.splitCredential({ authType: "basic", values: { ...basicValues, sslcert: "x" } }),
    );
    expect(top).toMatchObject({ code: "CREDENTIAL_INVALID" });
    expect(top.message).toContain("sslcert: unknown field");
    const nested = thrown(() =>
      postgresApp.splitCredential({
        authType: "basic",
        values: { ...basicValues, extra: { sslmode: "prefer", private_key: "k" } },
      }),
    );
    expect(nested.message).toContain("extra.private_key: unknown field");
    expect(
      thrown(() => postgresApp.splitCredential({ authType: "kerberos", values: basicValues })).message,
    ).toContain("supported: basic");
  });

  it("validation errors name the field and the rule, never the value", () => {
    const cases: Array<Record<string, unknown>> = [
      { ...basicValues, host: `postgresql://etl:${CANARY}@db:5432/x` },
      { ...basicValues, port: `5432-${CANARY}` },
      { ...basicValues, password: 12345 },
      { ...basicValues, password: "" },
      { ...basicValues, extra: { sslmode: `allow-${CANARY}` } },
      { ...basicValues, username: undefined },
    ];
    for (const values of cases) {
      const err = thrown(() => postgresApp.splitCredential({ authType: "basic", values }));
      expect(err.code).toBe("CREDENTIAL_INVALID");
      expect(err.message).not.toContain(CANARY);
      expect(JSON.stringify(err.details)).not.toContain(CANARY);
      expect(err.message).not.toContain("12345");
    }
    const e = thrown(() =>
      postgresApp.splitCredential({ authType: "basic", values: cases[0] as Record<string, unknown> }),
    );
    expect(e.message).toMatch(/host: must be a host name or IP address/);
    expect(
      thrown(() =>
        postgresApp.splitCredential({ authType: "basic", values: cases[4] as Record<string, unknown> }),
      ).message,
    ).toContain('extra.sslmode: must be one of "disable", "prefer", "require", "verify-full"');
    expect(
      thrown(() =>
        postgresApp.splitCredential({ authType: "basic", values: cases[5] as Record<string, unknown> }),
      ).message,
    ).toContain("username: required, must be string");
  });

  it("refuses halves that are incomplete, misplaced or overlapping with INTEGRITY_ERROR, naming paths only (case 004)", () => {
    const { config, secret: sec } = postgresApp.splitCredential({ authType: "basic", values: basicValues });
    const merge = (c: Record<string, unknown>, s: Record<string, unknown>) =>
      thrown(() =>
        postgresApp.mergeCredential({ guid: "g-2", authType: "basic", version: 1, config: c, secret: s }),
      );
    const noPassword = merge(config, {});
    expect(noPassword).toMatchObject({ code: "INTEGRITY_ERROR" });
    expect(noPassword.message).toContain("password");
    const noHost = merge({ ...config, host: undefined }, sec);
    expect(noHost.message).toContain("host");
    expect(noHost.message).not.toContain(CANARY);
    expect(merge({ ...config, password: "in-config" }, sec).message).toContain(
      "password is in the wrong half",
    );
    expect(merge(config, { ...sec, host: "evil" }).message).toContain("host is in the wrong half");
    expect(isGuidvaultError(merge(config, { password: 5 }), "INTEGRITY_ERROR")).toBe(true);
  });
});

describe("app SDK: defineApp", () => {
  const tokenTypes = { token: authTypes.token({ fields: { account: z.string().min(1) } }) };
  const tokenForm: AppForm = {
    credential: {
      token: [
        {
          id: "t",
          title: "Token",
          fields: [
            { name: "account", label: "Account", type: "text", required: true, secret: false },
            { name: "token", label: "Token", type: "password", required: true, secret: true },
          ],
        },
      ],
    },
    config: emptyConfig,
  };

  it("accepts an app with auth type token (the design fits other auth types)", () => {
    const app = defineApp({
      name: "saas",
      authTypes: tokenTypes,
      configSchema: z.strictObject({}),
      form: tokenForm,
      testAuth: async (c) => ({ ok: c.authType === "token", message: `account ${c.account}` }),
      fetchMetadata: async () => ({}),
      workflow: { steps: [step] },
    });
    const split = app.splitCredential({
      authType: "token",
      values: { account: "acme", token: `t-${CANARY}` },
    });
    expect(split).toEqual({
      authType: "token",
      secret: { token: `t-${CANARY}` },
      config: { account: "acme", extra: {} },
    });
    expect(app.secretFields("token")).toEqual(["token"]);
    expect(app.describe()).toMatchObject({ name: "saas", authTypes: ["token"], steps: ["noop"] });
    expect(JSON.parse(JSON.stringify(app.describe().form))).toEqual(tokenForm);
  });

  it("refuses malformed declarations at definition time", () => {
    const base = {
      name: "bad",
      configSchema: z.strictObject({}),
      testAuth: async () => ({ ok: true, message: "" }),
      fetchMetadata: async () => ({}),
      workflow: { steps: [step] },
    };
    const form = (fields: AppForm["credential"][string][number]["fields"]): AppForm => ({
      credential: { basic: [{ id: "s", title: "S", fields }] },
      config: emptyConfig,
    });
    const loose = { basic: z.object({ user: z.string(), password: secret(z.string()) }) };
    expect(thrown(() => defineApp({ ...base, authTypes: loose, form: form([]) })).message).toContain(
      "must be strict",
    );
    const unmarked = { basic: z.strictObject({ user: z.string(), api_token: z.string() }) };
    expect(thrown(() => defineApp({ ...base, authTypes: unmarked, form: form([]) })).message).toContain(
      "api_token looks secret",
    );
    const noSecret = { basic: z.strictObject({ user: z.string() }) };
    expect(thrown(() => defineApp({ ...base, authTypes: noSecret, form: form([]) })).message).toContain(
      "at least one required secret",
    );
    const ok = { basic: z.strictObject({ user: z.string(), pw: secret(z.string()) }) };
    const plainPw = form([{ name: "pw", label: "P", type: "text", required: true, secret: true }]);
    expect(thrown(() => defineApp({ ...base, authTypes: ok, form: plainPw })).message).toContain(
      "must be a password or textarea",
    );
    const lying = form([{ name: "pw", label: "P", type: "password", required: true, secret: false }]);
    expect(thrown(() => defineApp({ ...base, authTypes: ok, form: lying })).message).toContain(
      "must have secret: true",
    );
    const reserved = { basic: z.strictObject({ version: z.string(), pw: secret(z.string()) }) };
    expect(thrown(() => defineApp({ ...base, authTypes: reserved, form: form([]) })).message).toContain(
      "reserved field version",
    );
    expect(
      thrown(() => defineApp({ ...base, authTypes: ok, form: form([]), workflow: { steps: [step, step] } }))
        .message,
    ).toContain("unique");
  });

  it("the registry throws CONFIG_INVALID for an unknown app and lists apps", () => {
    const apps = createAppRegistry([postgresApp]);
    expect(apps.get("postgres")).toBe(postgresApp);
    expect(apps.list().map((a) => a.name)).toEqual(["postgres"]);
    expect(thrown(() => apps.get("../../etc/passwd"))).toMatchObject({ code: "CONFIG_INVALID" });
    expect(thrown(() => createAppRegistry([postgresApp, postgresApp]))).toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("parses a workflow config with defaults and refuses a bad one with CONFIG_INVALID", () => {
    expect(postgresApp.parseConfig({})).toEqual({ include: [], exclude: [], all_databases: false });
    expect(thrown(() => postgresApp.parseConfig({ include: ['"open'] }))).toMatchObject({
      code: "CONFIG_INVALID",
    });
    expect(thrown(() => postgresApp.parseConfig({ password: "x" }))).toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});

describe("app SDK: activity context", () => {
  it("releases resolved credentials when the step ends and undoes a failed attempt's counts", async () => {
    const counts: Record<string, number> = {};
    let released = 0;
    const { ctx, end } = createActivityContext({
      workflowId: "w",
      runId: "r",
      tenant: "acme",
      step: "s",
      config: {},
      outputDir: "/tmp",
      logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
      resolve: async () =>
        Object.assign({ guid: "g", authType: "basic", version: 1 }, { release: () => void released++ }),
      addCounts: async (c) => {
        for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
      },
    });
    await ctx.getCredentials();
    await ctx.addCounts({ tables: 5, views: 1 });
    await ctx.addCounts({ tables: 2 });
    expect(counts).toEqual({ tables: 7, views: 1 });
    await end("failed");
    expect(counts).toEqual({ tables: 0, views: 0 });
    expect(released).toBe(1);
    await end("failed");
    expect(released).toBe(1);
    await expect(ctx.getCredentials()).rejects.toThrow(/has ended/);
  });
});

describe("app SDK: JSON Lines", () => {
  it("writes atomically: the final file appears on close, an aborted one leaves nothing", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gv-jsonl-"));
    const out = await openJsonl(dir, "rows");
    for (let i = 0; i < 20_000; i++) await out.write({ i, name: `n'"\\${i}` });
    expect(await fs.readdir(dir)).toEqual(["rows.jsonl.partial"]);
    await out.close();
    await out.abort();
    const back: Array<{ i: number }> = [];
    for await (const r of readJsonl<{ i: number }>(dir, "rows")) back.push(r);
    expect(back).toHaveLength(20_000);
    expect(back[19_999]).toEqual({ i: 19_999, name: `n'"\\19999` });
    const aborted = await openJsonl(dir, "other");
    await aborted.write({ x: 1 });
    await aborted.abort();
    expect(await fs.readdir(dir)).toEqual(["rows.jsonl"]);
    await fs.rm(dir, { recursive: true });
  });
});
