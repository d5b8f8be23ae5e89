/** Credential routes: create, describe, list, rotate (check-and-set), destroy, test, metadata. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AuditLog } from "../../audit/types.js";
import { GuidvaultError } from "../../errors/index.js";
import { parseUuid } from "../../ids/index.js";
import type { Accessor } from "../../secret-store/types.js";
import { requireRole } from "../auth.js";

/** What the routes need from the credential service (src/credentials). */
export interface CredentialServiceLike {
  create(
    tenant: string,
    input: { app: string; authType: string; values: Record<string, unknown> },
    accessor: Accessor,
  ): Promise<{ guid: string; version: number; warnings: string[] }>;
  describe(guid: string): Promise<{ guid: string; tenant: string } & Record<string, unknown>>;
  list(tenant: string): Promise<unknown[]>;
  rotate(
    guid: string,
    values: Record<string, unknown>,
    options: { expectedVersion?: number; accessor: Accessor },
  ): Promise<{ version: number; warnings: string[] }>;
  destroy(guid: string, accessor: Accessor): Promise<void>;
  testAuth(guid: string, accessor: Accessor): Promise<{ ok: boolean; message: string }>;
  fetchMetadata(
    guid: string,
    request: { type: string; database?: string },
    accessor: Accessor,
  ): Promise<unknown>;
}

/** Body of POST /api/v1/credentials. */
export const createCredentialBody = z
  .object({
    app: z.string().min(1).max(64),
    authType: z.string().min(1).max(64),
    values: z.record(z.string(), z.unknown()),
  })
  .strict();

/** Body of PUT /api/v1/credentials/:guid. */
export const rotateCredentialBody = z.object({ values: z.record(z.string(), z.unknown()) }).strict();

/** Body of POST /api/v1/credentials/:guid/metadata. */
export const metadataBody = z
  .object({ type: z.enum(["databases", "schemas"]), database: z.string().min(1).max(128).optional() })
  .strict();

/**
 * Parses an `If-Match` header holding a version (`3`, `"3"` or `W/"3"`). An unusable value is
 * refused, never ignored (case 011).
 * @throws GuidvaultError `BAD_REQUEST`
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? header.join(",") : header;
  if (/^\s*W\//.test(raw)) {
    // RFC 9110 section 13.1.1: If-Match uses strong comparison, so a weak tag can never match.
    throw new GuidvaultError(
      "BAD_REQUEST",
      'If-Match needs a strong validator, e.g. If-Match: "3" (not W/"3")',
    );
  }
  const m = /^\s*"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m)
    throw new GuidvaultError("BAD_REQUEST", 'If-Match must hold one credential version, e.g. If-Match: "3"');
  return Number(m[1]);
}

function tokenAccessor(req: FastifyRequest, kind: "operator" | "test-auth" | "metadata"): Accessor {
  const p = req.principal as NonNullable<FastifyRequest["principal"]>;
  return { kind, tenant: p.tenant, principal: `token:${p.id}` };
}

/** Dependencies of the credential routes. */
export interface CredentialRouteDeps {
  credentials: CredentialServiceLike;
  audit: Pick<AuditLog, "append">;
}

/**
 * Loads a credential's description. Another tenant's GUID looks like an unknown one (404), and
 * both are audited as denied probes by the caller's token.
 */
export async function ownCredential(deps: CredentialRouteDeps, req: FastifyRequest, guidIn: unknown) {
  const guid = parseUuid(guidIn, "credential GUID");
  const p = req.principal as NonNullable<FastifyRequest["principal"]>;
  const notFound = async (): Promise<never> => {
    await deps.audit.append({
      tenant: p.tenant,
      guid,
      action: "deny",
      accessor: `token:${p.id}`,
      outcome: "CREDENTIAL_NOT_FOUND",
    });
    throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`);
  };
  let d: Awaited<ReturnType<CredentialServiceLike["describe"]>>;
  try {
    d = await deps.credentials.describe(guid);
  } catch (err) {
    if (err instanceof GuidvaultError && err.code === "CREDENTIAL_NOT_FOUND") return notFound();
    throw err;
  }
  if (d.tenant !== p.tenant) return notFound();
  return d;
}

/** Registers the credential routes. */
export function registerCredentialRoutes(app: FastifyInstance, deps: CredentialRouteDeps): void {
  app.post("/api/v1/credentials", async (req, reply) => {
    const p = requireRole(req, "operator");
    const body = createCredentialBody.parse(req.body);
    const out = await deps.credentials.create(p.tenant, body, tokenAccessor(req, "operator"));
    return reply.status(201).header("etag", `"${out.version}"`).send(out);
  });

  app.get("/api/v1/credentials", async (req) => {
    const p = requireRole(req, "auditor");
    return { credentials: await deps.credentials.list(p.tenant) };
  });

  app.get<{ Params: { guid: string } }>("/api/v1/credentials/:guid", async (req, reply) => {
    requireRole(req, "auditor");
    const d = await ownCredential(deps, req, req.params.guid);
    const version = (d as { version?: unknown }).version;
    if (typeof version === "number") reply.header("etag", `"${version}"`);
    return d;
  });

  app.put<{ Params: { guid: string } }>("/api/v1/credentials/:guid", async (req, reply) => {
    requireRole(req, "operator");
    const expectedVersion = parseIfMatch(req.headers["if-match"]);
    const d = await ownCredential(deps, req, req.params.guid);
    const body = rotateCredentialBody.parse(req.body);
    if (Object.keys(body.values).length === 0) {
      throw new GuidvaultError("CREDENTIAL_INVALID", "values is empty: send the fields to change");
    }
    const out = await deps.credentials.rotate(d.guid, body.values, {
      expectedVersion,
      accessor: tokenAccessor(req, "operator"),
    });
    return reply.header("etag", `"${out.version}"`).send({ guid: d.guid, ...out });
  });

  app.delete<{ Params: { guid: string } }>("/api/v1/credentials/:guid", async (req, reply) => {
    requireRole(req, "operator");
    const expectedVersion = parseIfMatch(req.headers["if-match"]);
    const d = await ownCredential(deps, req, req.params.guid);
    const current = (d as { version?: unknown }).version;
    if (expectedVersion !== undefined && current !== expectedVersion) {
      throw new GuidvaultError(
        "CONFLICT",
        `credential ${d.guid} is at version ${String(current)}, not ${expectedVersion}; nothing was destroyed`,
      );
    }
    await deps.credentials.destroy(d.guid, tokenAccessor(req, "operator"));
    return reply.status(204).send();
  });

  app.post<{ Params: { guid: string } }>("/api/v1/credentials/:guid/test", async (req) => {
    requireRole(req, "operator");
    const d = await ownCredential(deps, req, req.params.guid);
    return deps.credentials.testAuth(d.guid, tokenAccessor(req, "test-auth"));
  });

  app.post<{ Params: { guid: string } }>("/api/v1/credentials/:guid/metadata", async (req) => {
    requireRole(req, "operator");
    const d = await ownCredential(deps, req, req.params.guid);
    const body = metadataBody.parse(req.body ?? {});
    return deps.credentials.fetchMetadata(d.guid, body, tokenAccessor(req, "metadata"));
  });
}
