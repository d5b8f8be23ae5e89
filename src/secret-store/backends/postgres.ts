/**
 * PostgreSQL secret store: envelope-encrypted rows in the `secret` schema, audited through the
 * audit log. See ../DESIGN.md for the envelope, AAD bindings and rotation steps.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import type { AuditEventInput, AuditLog } from "../../audit/types.js";
import { prepared, withTransaction } from "../../db/client.js";
import { createGroupCommitter } from "../../db/group-commit.js";
import { GuidvaultError, mapStoreError } from "../../errors/index.js";
import { parseTenant, parseUuid } from "../../ids/index.js";
import { isWeakSecret, masker } from "../../redact/index.js";
import { accessorString } from "../accessor.js";
import { dekAad, KEY_BYTES, open, packSealed, seal, secretAad, unpackSealed } from "../envelope.js";
import { rotateKek } from "../kek-rotation.js";
import { createKeyRing } from "../key-ring.js";
import type {
  Accessor,
  AccessPolicy,
  CredentialMetadata,
  PutResult,
  ResolvedSecret,
  SecretHalf,
  SecretStore,
} from "../types.js";

/** Options of {@link createPostgresSecretStore}. */
export interface PostgresSecretStoreOptions {
  /** Pool logged in as the secret role. */
  pool: pg.Pool;
  /** The audit log every operation writes to. */
  audit: AuditLog;
  /** Master key (32 bytes), root of the key ring. */
  masterKey: Buffer;
}

/** Largest accepted secret half, serialised as JSON (bytes). */
export const MAX_SECRET_BYTES = 64 * 1024;

/** The resolve read: current version of a live credential, by primary key. */
const RESOLVE_SQL = `SELECT c.tenant, v.version, v.kek_id, v.wrapped_dek, v.nonce, v.ciphertext
  FROM secret.credential c JOIN secret.version v ON v.guid = c.guid AND v.version = c.current_version
 WHERE c.guid = $1 AND c.destroyed_at IS NULL`;

/** A row of {@link RESOLVE_SQL}. */
interface ResolveRow {
  tenant: string;
  version: number;
  kek_id: string;
  wrapped_dek: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

/**
 * Puts of one group commit: every credential and version row in one statement, committed only
 * while their KEK ($1) is still primary; returns the GUIDs stored.
 */
const PUT_MANY_SQL = `WITH k AS (SELECT 1 FROM secret.kek WHERE id = $1 AND is_primary),
      c AS (INSERT INTO secret.credential (guid, tenant, current_version)
            SELECT u.g, u.t, 1 FROM unnest($2::uuid[], $3::text[]) AS u(g, t) WHERE EXISTS (SELECT 1 FROM k)
            RETURNING guid)
INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext)
SELECT u.g, 1, $1, u.w, u.n, u.ct FROM unnest($2::uuid[], $4::bytea[], $5::bytea[], $6::bytea[]) AS u(g, w, n, ct)
 WHERE u.g IN (SELECT guid FROM c)
RETURNING guid`;

/** One put waiting in a group commit; `stored` is set by the flush. */
interface PendingPut {
  guid: string;
  tenant: string;
  kekId: string;
  wrapped: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  stored?: boolean;
}

const SYSTEM: Accessor = { kind: "operator", tenant: "system", principal: "system" };

const defaultPolicy: AccessPolicy = async (_guid, _tenant, accessor) => accessor.kind !== "run";

/** Strings inside a secret half, for masker registration and weak-secret warnings. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates a secret half and serialises it. @throws `CREDENTIAL_INVALID` */
function encodeSecret(secret: SecretHalf): { bytes: Buffer; warnings: string[] } {
  if (!secret || typeof secret !== "object" || Array.isArray(secret)) {
    throw new GuidvaultError("CREDENTIAL_INVALID", "the secret half must be a JSON object");
  }
  const keys = Object.keys(secret);
  if (keys.length === 0) throw new GuidvaultError("CREDENTIAL_INVALID", "the secret half is empty");
  const bytes = Buffer.from(JSON.stringify(secret), "utf8");
  if (bytes.length > MAX_SECRET_BYTES) {
    throw new GuidvaultError(
      "CREDENTIAL_INVALID",
      `the secret half is ${bytes.length} bytes; the limit is ${MAX_SECRET_BYTES}`,
    );
  }
  const warnings: string[] = [];
  for (const k of keys) {
    const v = (secret as Record<string, unknown>)[k];
    if (typeof v === "string" && v.length === 0) {
      throw new GuidvaultError("CREDENTIAL_INVALID", `secret field "${k}" is empty`);
    }
    const weak = stringsOf(v).some((s) => isWeakSecret(s));
    if (weak)
      warnings.push(
        `secret field "${k}" is shorter than 8 characters: weak, and not substring-masked in logs`,
      );
  }
  return { bytes, warnings };
}

/** Creates the PostgreSQL secret store. */
export function createPostgresSecretStore(opts: PostgresSecretStoreOptions): SecretStore {
  const { pool, audit } = opts;
  const ring = createKeyRing(pool, opts.masterKey);
  let policy: AccessPolicy = defaultPolicy;

  const event = (
    tenant: string,
    guid: string | null,
    action: AuditEventInput["action"],
    accessor: Accessor,
    outcome: string,
  ) => ({ tenant, guid, action, accessor: accessorString(accessor), outcome }) satisfies AuditEventInput;

  /** Runs a query as a prepared statement (parsed and planned once per connection). */
  async function q<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await pool.query<R>(prepared(sql, params));
    } catch (err) {
      throw mapStoreError(err, "secret store");
    }
  }

  const tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => withTransaction(pool, "secret store", fn);

  // Concurrent puts are group-committed: one statement (one WAL flush) per batch.
  const puts = createGroupCommitter<PendingPut>(async (items) => {
    const byKek = new Map<string, PendingPut[]>();
    for (const p of items) byKek.set(p.kekId, [...(byKek.get(p.kekId) ?? []), p]);
    for (const [kekId, group] of byKek) {
      const res = await q<{ guid: string }>(PUT_MANY_SQL, [
        kekId,
        group.map((p) => p.guid),
        group.map((p) => p.tenant),
        group.map((p) => p.wrapped),
        group.map((p) => p.nonce),
        group.map((p) => p.ciphertext),
      ]);
      const stored = new Set(res.rows.map((r) => r.guid));
      for (const p of group) p.stored = stored.has(p.guid);
    }
  }, 256);

  /**
   * Decrypts a resolve row into a frozen secret registered with the masker.
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND` (absent, or another tenant's), `INTEGRITY_ERROR`
   */
  async function decryptRow(
    guid: string,
    tenant: string,
    found: ResolveRow | undefined,
  ): Promise<ResolvedSecret> {
    // Looked up by primary key only (a tenant predicate tempts the planner into the tenant
    // index); another tenant's row is treated as absent.
    const row = found && found.tenant === tenant ? found : undefined;
    if (!row) {
      throw new GuidvaultError(
        "CREDENTIAL_NOT_FOUND",
        `credential ${guid}: secret half not found in tenant ${tenant}`,
        {
          details: { guid, missing: "secret half" },
        },
      );
    }
    const kek = await ring.get(row.kek_id);
    const what = `credential ${guid} v${row.version}`;
    const dek = open(
      kek.key,
      unpackSealed(row.wrapped_dek),
      dekAad(tenant, guid, row.version, kek.id),
      `${what} DEK`,
    );
    const plain = open(
      dek,
      { nonce: row.nonce, ciphertext: row.ciphertext },
      secretAad(tenant, guid, row.version),
      what,
    );
    dek.fill(0);
    const secret = deepFreeze(JSON.parse(plain.toString("utf8")) as SecretHalf);
    plain.fill(0);
    const releases = stringsOf(secret).map((v) => masker.register(v));
    let released = false;
    return Object.freeze({
      guid,
      tenant,
      version: row.version,
      secret,
      release() {
        if (released) return;
        released = true;
        for (const r of releases) r();
      },
    });
  }

  /** Encrypts one version; returns the column values. */
  async function encryptVersion(tenant: string, guid: string, version: number, bytes: Buffer) {
    const kek = await ring.primary();
    const dek = randomBytes(KEY_BYTES);
    const sealed = seal(dek, bytes, secretAad(tenant, guid, version));
    const wrapped = packSealed(seal(kek.key, dek, dekAad(tenant, guid, version, kek.id)));
    dek.fill(0);
    return { kekId: kek.id, wrapped, nonce: sealed.nonce, ciphertext: sealed.ciphertext };
  }

  async function metadata(where: string, params: unknown[]): Promise<CredentialMetadata[]> {
    const { rows } = await q<{
      guid: string;
      tenant: string;
      current_version: number;
      created_at: Date;
      updated_at: Date;
      kek_id: string | null;
      versions: string;
    }>(
      `SELECT c.guid, c.tenant, c.current_version, c.created_at, c.updated_at,
              (SELECT kek_id FROM secret.version v WHERE v.guid = c.guid AND v.version = c.current_version) AS kek_id,
              (SELECT count(*) FROM secret.version v WHERE v.guid = c.guid) AS versions
         FROM secret.credential c WHERE c.destroyed_at IS NULL AND ${where} ORDER BY c.created_at, c.guid`,
      params,
    );
    const last = await audit.lastAccess(rows.map((r) => r.guid));
    return rows.map((r) => ({
      guid: r.guid,
      tenant: r.tenant,
      version: r.current_version,
      versions: Number(r.versions),
      kekId: r.kek_id ?? "",
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastAccessAt: last.get(r.guid) ?? null,
    }));
  }

  return {
    async put(tenantIn, secret, accessor = SYSTEM): Promise<PutResult> {
      const tenant = parseTenant(tenantIn);
      const { bytes, warnings } = encodeSecret(secret);
      const release = stringsOf(secret).map((s) => masker.register(s));
      try {
        const guid = randomUUID();
        // The audit event is written alongside the insert (both must be durable before put
        // returns); an insert that fails adds a second event with the error code.
        const audited = audit.append(event(tenant, guid, "put", accessor, "ok"));
        try {
          for (let attempt = 0; attempt < 3; attempt++) {
            const v = await encryptVersion(tenant, guid, 1, bytes);
            const pending: PendingPut = { guid, tenant, ...v };
            await puts.submit([pending]);
            if (pending.stored) {
              await audited;
              return { guid, version: 1, warnings };
            }
            ring.invalidate(); // another process made a new KEK primary
          }
        } catch (err) {
          await audited.catch(() => {});
          const code = err instanceof GuidvaultError ? err.code : "INTERNAL";
          await audit.append(event(tenant, guid, "put", accessor, code)).catch(() => {});
          throw err;
        }
        await audited.catch(() => {});
        await audit.append(event(tenant, guid, "put", accessor, "STORE_UNAVAILABLE")).catch(() => {});
        throw new GuidvaultError(
          "STORE_UNAVAILABLE",
          "secret store: the primary KEK kept changing during put",
        );
      } finally {
        for (const r of release) r();
      }
    },

    async getCredentials(guidIn, accessor): Promise<ResolvedSecret> {
      const guid = parseUuid(guidIn, "credential GUID");
      const tenant = parseTenant(accessor.tenant);
      let allowed: boolean;
      try {
        allowed = await policy(guid, tenant, accessor);
      } catch (err) {
        throw mapStoreError(err, "state store");
      }
      if (!allowed) {
        await audit.append(event(tenant, guid, "deny", accessor, "ACCESS_DENIED"));
        throw new GuidvaultError(
          "ACCESS_DENIED",
          `${accessorString(accessor)} may not resolve credential ${guid}`,
          {
            details: { guid },
          },
        );
      }
      // The audit write (access allowed) and the read + decrypt run in parallel; both finish
      // before return. A failure of the read adds a second event with the error code.
      const read = q<ResolveRow>(RESOLVE_SQL, [guid]).then((res) => decryptRow(guid, tenant, res.rows[0]));
      const audited = audit.append(event(tenant, guid, "resolve", accessor, "allowed"));
      const [r, a] = await Promise.allSettled([read, audited]);
      if (a.status === "rejected") {
        if (r.status === "fulfilled") r.value.release();
        throw a.reason;
      }
      if (r.status === "fulfilled") return r.value;
      const failure: unknown = r.reason;
      if (failure instanceof GuidvaultError && failure.code !== "STORE_UNAVAILABLE") {
        await audit.append(event(tenant, guid, "resolve", accessor, failure.code));
      }
      throw failure;
    },

    async rotate(guidIn, secret, options = {}) {
      const guid = parseUuid(guidIn, "credential GUID");
      const { bytes, warnings } = encodeSecret(secret);
      const accessor = options.accessor ?? SYSTEM;
      const release = stringsOf(secret).map((s) => masker.register(s));
      try {
        const { tenant, version } = await tx(async (c) => {
          const { rows } = await c.query<{ tenant: string; current_version: number }>(
            "SELECT tenant, current_version FROM secret.credential WHERE guid = $1 AND destroyed_at IS NULL FOR UPDATE",
            [guid],
          );
          const cur = rows[0];
          if (!cur)
            throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`, {
              details: { guid },
            });
          if (options.expectedVersion !== undefined && options.expectedVersion !== cur.current_version) {
            throw new GuidvaultError(
              "CONFLICT",
              `credential ${guid} is at version ${cur.current_version}, not ${options.expectedVersion}; nothing was changed`,
              { details: { guid, currentVersion: cur.current_version } },
            );
          }
          const next = cur.current_version + 1;
          const v = await encryptVersion(cur.tenant, guid, next, bytes);
          await c.query(
            "INSERT INTO secret.version (guid, version, kek_id, wrapped_dek, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)",
            [guid, next, v.kekId, v.wrapped, v.nonce, v.ciphertext],
          );
          await c.query(
            "UPDATE secret.credential SET current_version = $2, updated_at = now() WHERE guid = $1",
            [guid, next],
          );
          return { tenant: cur.tenant, version: next };
        });
        await audit.append(event(tenant, guid, "rotate", accessor, "ok"));
        return { version, warnings };
      } finally {
        for (const r of release) r();
      }
    },

    async destroy(guidIn, accessor = SYSTEM) {
      const guid = parseUuid(guidIn, "credential GUID");
      const tenant = await tx(async (c) => {
        const { rows } = await c.query<{ tenant: string }>(
          "UPDATE secret.credential SET destroyed_at = now(), updated_at = now() WHERE guid = $1 AND destroyed_at IS NULL RETURNING tenant",
          [guid],
        );
        if (!rows[0])
          throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`, {
            details: { guid },
          });
        await c.query("DELETE FROM secret.version WHERE guid = $1", [guid]);
        return rows[0].tenant;
      });
      await audit.append(event(tenant, guid, "destroy", accessor, "ok"));
    },

    async describe(guidIn) {
      const guid = parseUuid(guidIn, "credential GUID");
      const [m] = await metadata("c.guid = $1", [guid]);
      if (!m)
        throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`, {
          details: { guid },
        });
      return m;
    },

    async list(tenantIn) {
      return metadata("c.tenant = $1", [parseTenant(tenantIn)]);
    },

    async rotateKek(options = {}) {
      const result = await rotateKek({ pool, ring, ...options }).catch((err) => {
        throw mapStoreError(err, "secret store");
      });
      await audit.append(
        event("system", null, "kek-rotate", SYSTEM, `ok:${result.kekId}:${result.rewrapped}`),
      );
      return result;
    },

    setAccessPolicy(p) {
      policy = p;
    },

    async close() {
      await puts.idle();
      await audit.close();
    },
  };
}
