/** Credential routes: create, describe, list, rotate (check-and-set), destroy, test, metadata. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
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
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m)
    throw new GuidvaultError("BAD_REQUEST", 'If-Match must hold one credential version, e.g. If-Match: "3"');
  return Number(m[1]);
}

function tokenAccessor(req: FastifyRequest, kind: "operator" | "test-auth"): Accessor {
  const p = req.principal as NonNullable<FastifyRequest["principal"]>;
  return { kind, tenant: p.tenant, principal: `token:${p.id}` };
}

/** Loads a credential's description and hides other tenants' GUIDs behind 404. */
async function ownCredential(
  deps: { credentials: CredentialServiceLike },
  req: FastifyRequest,
  guidIn: unknown,
) {
  const guid = parseUuid(guidIn, "credential GUID");
  const d = await deps.credentials.describe(guid);
  if (d.tenant !== req.principal?.tenant)
    throw new GuidvaultError("CREDENTIAL_NOT_FOUND", `credential ${guid} not found`);
  return d;
}

/** Registers the credential routes. */
export function registerCredentialRoutes(
  app: FastifyInstance,
  deps: { credentials: CredentialServiceLike },
): void {
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
    const out = await deps.credentials.rotate(d.guid, body.values, {
      expectedVersion,
      accessor: tokenAccessor(req, "operator"),
    });
    return reply.header("etag", `"${out.version}"`).send({ guid: d.guid, ...out });
  });

  app.delete<{ Params: { guid: string } }>("/api/v1/credentials/:guid", async (req, reply) => {
    requireRole(req, "operator");
    const d = await ownCredential(deps, req, req.params.guid);
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
    return deps.credentials.fetchMetadata(d.guid, body, tokenAccessor(req, "test-auth"));
  });
}
