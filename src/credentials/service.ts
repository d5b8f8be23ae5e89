/**
 * The credential service: one GUID, two halves. The secret half lives in the secret store, the
 * credential config (non-secret half) in the state store; this service writes both, resolves
 * both into one credential, and refuses anything partial (case 004). See docs/apps.md.
 */
import { patchValues } from "../app-sdk/credential.js";
import type { AnyApp, TestAuthResult } from "../app-sdk/define-app.js";
import { checkJsonInput } from "../app-sdk/json-input.js";
import type { AppRegistry } from "../app-sdk/registry.js";
import type { AuditLog } from "../audit/types.js";
import { GuidvaultError, isGuidvaultError } from "../errors/index.js";
import { parseTenant, parseUuid } from "../ids/index.js";
import { maskError, masker, scrubError } from "../redact/index.js";
import { accessorString } from "../secret-store/accessor.js";
import type { Accessor, CredentialMetadata, ResolvedSecret, SecretStore } from "../secret-store/types.js";
import type { CredentialConfig, StateStore } from "../state-store/types.js";
import type { CredentialDescription, CredentialService, ResolvedCredential } from "./types.js";

/** Dependencies of {@link createCredentialService}. */
export interface CredentialServiceDeps {
  secretStore: Pick<SecretStore, "put" | "getCredentials" | "rotate" | "destroy" | "describe" | "list">;
  stateStore: Pick<
    StateStore,
    "saveCredentialConfig" | "getCredentialConfig" | "listCredentialConfigs" | "deleteCredentialConfig"
  >;
  apps: Pick<AppRegistry, "get">;
  /** When given, each testAuth call appends a `test-auth` event with its outcome (`ok`/`failed`). */
  audit?: Pick<AuditLog, "append">;
}

/** Re-reads of the credential config while a rotation is between its two writes. */
const VERSION_RETRIES = 5;
const VERSION_RETRY_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function notFound(guid: string, what: string): GuidvaultError {
  return new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid}: ${what}`, { details: { guid } });
}

/** The accessor a test-connection or metadata call resolves with (runs keep their own). */
function testAuthAccessor(a: Accessor): Accessor {
  return a.kind === "operator" ? { kind: "test-auth", tenant: a.tenant, principal: a.principal } : a;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeOf(
  guid: string,
  cfg: CredentialConfig | undefined,
  meta: CredentialMetadata | undefined,
  secretFields: string[],
): CredentialDescription {
  const base = cfg ?? meta;
  if (!base) throw notFound(guid, "not found");
  return {
    guid,
    tenant: base.tenant,
    app: cfg?.app ?? null,
    authType: cfg?.authType ?? null,
    config: cfg?.config ?? null,
    version: meta?.version ?? null,
    configVersion: cfg?.version ?? null,
    versions: meta?.versions ?? 0,
    secretFields,
    createdAt: meta?.createdAt ?? base.createdAt,
    updatedAt: new Date(Math.max(cfg?.updatedAt.getTime() ?? 0, meta?.updatedAt.getTime() ?? 0)),
    lastAccessAt: meta?.lastAccessAt ?? null,
    missing: !cfg ? "credential config" : !meta ? "secret half" : null,
  };
}

/**
 * Creates the credential service.
 * @example
 * const credentials = createCredentialService({ secretStore, stateStore, apps: createAppRegistry([postgresApp]) });
 */
export function createCredentialService(deps: CredentialServiceDeps): CredentialService {
  const { secretStore, stateStore, apps } = deps;

  const secretFieldsOf = (cfg: CredentialConfig | undefined): string[] => {
    if (!cfg) return [];
    try {
      return apps.get(cfg.app).secretFields(cfg.authType);
    } catch {
      return [];
    }
  };

  /** Reads both halves at one version, or throws naming what is wrong. */
  async function readHalves(
    guid: string,
    accessor: Accessor,
  ): Promise<{ cfg: CredentialConfig; sec: ResolvedSecret }> {
    for (let attempt = 0; ; attempt++) {
      const [secR, cfgR] = await Promise.all([
        settle(secretStore.getCredentials(guid, accessor)),
        settle(stateStore.getCredentialConfig(guid)),
      ]);
      if (!secR.ok) {
        // Denials and outages first: a denied caller learns nothing about the other half.
        if (!isGuidvaultError(secR.error, "CREDENTIAL_NOT_FOUND")) throw secR.error;
        if (!cfgR.ok) throw cfgR.error;
        const cfg = cfgR.value;
        if (cfg && cfg.tenant === accessor.tenant) {
          throw notFound(
            guid,
            "the secret half is missing from the secret store (the credential config exists)",
          );
        }
        throw notFound(guid, `not found in tenant ${accessor.tenant} (neither half exists)`);
      }
      const sec = secR.value;
      try {
        if (!cfgR.ok) throw cfgR.error;
        let cfg = cfgR.value;
        if (!cfg)
          throw notFound(
            guid,
            "the credential config (non-secret half) is missing from the state store (the secret half exists)",
          );
        if (cfg.tenant !== sec.tenant) {
          throw new GuidvaultError(
            "INTEGRITY_ERROR",
            `credential ${guid}: the halves disagree on the tenant`,
            { details: { guid } },
          );
        }
        // A rotation writes the secret first, then the config: wait briefly for the config.
        for (let i = 0; cfg.version < sec.version && i < VERSION_RETRIES; i++) {
          await sleep(VERSION_RETRY_MS);
          cfg = (await stateStore.getCredentialConfig(guid)) ?? cfg;
        }
        if (cfg.version === sec.version) return { cfg, sec };
        if (cfg.version < sec.version || attempt >= 2) {
          throw new GuidvaultError(
            "INTEGRITY_ERROR",
            `credential ${guid}: the halves disagree on version (secret half v${sec.version}, credential config v${cfg.version}); rotate the credential again to repair it`,
            { details: { guid, secretVersion: sec.version, configVersion: cfg.version } },
          );
        }
      } catch (err) {
        sec.release();
        throw err;
      }
      sec.release(); // the config is newer: a rotation finished between the two reads; read again
    }
  }

  /** Resolves both halves into one frozen credential, with the app it belongs to. */
  async function resolveWithApp(
    guidIn: string,
    accessor: Accessor,
  ): Promise<{ cred: ResolvedCredential; app: AnyApp }> {
    const guid = parseUuid(guidIn, "credential GUID");
    parseTenant(accessor.tenant);
    const { cfg, sec } = await readHalves(guid, accessor);
    try {
      const app = apps.get(cfg.app);
      const merged = app.mergeCredential({
        guid,
        authType: cfg.authType,
        version: sec.version,
        config: cfg.config,
        secret: sec.secret,
      });
      const out = { ...merged };
      Object.defineProperty(out, "release", { value: () => sec.release(), enumerable: false });
      return { cred: Object.freeze(out) as ResolvedCredential, app };
    } catch (err) {
      sec.release();
      throw err;
    }
  }

  async function ownConfig(guid: string, tenant: string): Promise<CredentialConfig> {
    const cfg = await stateStore.getCredentialConfig(guid);
    if (!cfg || cfg.tenant !== tenant)
      throw notFound(guid, "the credential config (non-secret half) was not found");
    return cfg;
  }

  async function describe(guidIn: string, tenant?: string): Promise<CredentialDescription> {
    const guid = parseUuid(guidIn, "credential GUID");
    const [cfgR, metaR] = await Promise.all([
      settle(stateStore.getCredentialConfig(guid)),
      settle(secretStore.describe(guid)),
    ]);
    if (!cfgR.ok) throw cfgR.error;
    if (!metaR.ok && !isGuidvaultError(metaR.error, "CREDENTIAL_NOT_FOUND")) throw metaR.error;
    const d = describeOf(guid, cfgR.value, metaR.ok ? metaR.value : undefined, secretFieldsOf(cfgR.value));
    if (tenant !== undefined && d.tenant !== tenant) throw notFound(guid, "not found");
    return d;
  }

  return {
    async create(tenantIn, input, accessor) {
      const tenant = parseTenant(tenantIn);
      const app = apps.get(input?.app);
      const split = app.splitCredential({ authType: input.authType, values: input.values });
      const put = await secretStore.put(tenant, split.secret, accessor);
      try {
        await stateStore.saveCredentialConfig({
          guid: put.guid,
          tenant,
          app: app.name,
          authType: split.authType,
          config: split.config,
          version: put.version,
        });
      } catch (err) {
        await secretStore.destroy(put.guid, accessor).catch(() => {}); // nothing half-written
        throw err;
      }
      return { guid: put.guid, version: put.version, warnings: put.warnings };
    },

    async resolve(guid, accessor) {
      return (await resolveWithApp(guid, accessor)).cred;
    },

    async rotate(guidIn, values, options) {
      const guid = parseUuid(guidIn, "credential GUID");
      const { accessor, expectedVersion } = options;
      if (values === null || typeof values !== "object" || Array.isArray(values)) {
        throw new GuidvaultError("CREDENTIAL_INVALID", "values must be an object of the auth type's fields");
      }
      // Before any read or write (splitCredential checks the merged values again).
      checkJsonInput(values, "credential values");
      const cfg = await ownConfig(guid, parseTenant(accessor.tenant));
      if (expectedVersion !== undefined && expectedVersion !== cfg.version) {
        throw new GuidvaultError(
          "CONFLICT",
          `credential ${guid} is at version ${cfg.version}, not ${expectedVersion}; nothing was changed`,
          {
            details: { guid, currentVersion: cfg.version },
          },
        );
      }
      const app = apps.get(cfg.app);
      // Secret fields not given keep their current values, which needs the current secret half.
      const given = (path: string) =>
        path
          .split(".")
          .reduce<unknown>(
            (o, k) => (o && typeof o === "object" && k in o ? (o as Record<string, unknown>)[k] : undefined),
            values,
          ) !== undefined;
      const keep = app.secretFields(cfg.authType).some((p) => !given(p));
      let current: Record<string, unknown> = cfg.config;
      let held: ResolvedSecret | undefined;
      try {
        if (keep) {
          held = await secretStore.getCredentials(guid, accessor);
          current = patchValues(cfg.config, held.secret as Record<string, unknown>);
        }
        const split = app.splitCredential({ authType: cfg.authType, values: patchValues(current, values) });
        const out = await secretStore.rotate(guid, split.secret, {
          expectedVersion: expectedVersion ?? (keep ? held?.version : undefined),
          accessor,
        });
        try {
          await stateStore.saveCredentialConfig({ ...cfg, config: split.config, version: out.version });
        } catch (err) {
          // A newer rotation already saved its config: the halves are consistent at that version.
          if (!isGuidvaultError(err, "CONFLICT")) throw err;
        }
        return out;
      } finally {
        held?.release();
      }
    },

    describe,

    async list(tenantIn) {
      const tenant = parseTenant(tenantIn);
      const [cfgs, metas] = await Promise.all([
        stateStore.listCredentialConfigs(tenant),
        secretStore.list(tenant),
      ]);
      const byGuid = new Map(metas.map((m) => [m.guid, m]));
      const out = cfgs.map((c) => describeOf(c.guid, c, byGuid.get(c.guid), secretFieldsOf(c)));
      const seen = new Set(cfgs.map((c) => c.guid));
      for (const m of metas) if (!seen.has(m.guid)) out.push(describeOf(m.guid, undefined, m, []));
      return out.sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.guid.localeCompare(b.guid),
      );
    },

    async destroy(guidIn, accessor) {
      const d = await describe(guidIn, parseTenant(accessor.tenant));
      if (d.missing !== "secret half") {
        await secretStore.destroy(d.guid, accessor).catch((err: unknown) => {
          if (!isGuidvaultError(err, "CREDENTIAL_NOT_FOUND")) throw err;
        });
      }
      await stateStore.deleteCredentialConfig(d.guid);
    },

    async testAuth(guid, accessor) {
      const a = testAuthAccessor(accessor);
      const { cred, app } = await resolveWithApp(guid, a);
      let result: TestAuthResult;
      try {
        const r = await app.testAuth(cred, {});
        result = { ok: r.ok === true, message: masker.mask(String(r.message)) };
      } catch (err) {
        // Masked while the values are still registered.
        if (isGuidvaultError(err) && err.code !== "AUTH_FAILED") {
          scrubError(err);
          throw err;
        }
        result = { ok: false, message: maskError(err).message };
      } finally {
        cred.release();
      }
      const outcome = result.ok ? "ok" : "failed";
      await deps.audit?.append({
        tenant: a.tenant,
        guid: cred.guid,
        action: "test-auth",
        accessor: accessorString(a),
        outcome,
      });
      return result;
    },

    async fetchMetadata(guid, request, accessor) {
      // Audited as a metadata browse, distinct from a test of authentication.
      const a: Accessor =
        accessor.kind === "run"
          ? accessor
          : { kind: "metadata", tenant: accessor.tenant, principal: accessor.principal };
      const { cred, app } = await resolveWithApp(guid, a);
      try {
        return await app.fetchMetadata(cred, request, {});
      } catch (err) {
        scrubError(err); // masked while the values are still registered
        throw err;
      } finally {
        cred.release();
      }
    },
  };
}
