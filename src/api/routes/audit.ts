/** Audit routes: query events of the caller's tenant, verify the chain. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AUDIT_ACTIONS, type AuditLog } from "../../audit/types.js";
import { parseUuid } from "../../ids/index.js";
import { requireRole } from "../auth.js";

/** Query string of GET /api/v1/audit. */
export const auditQuery = z
  .object({
    guid: z.string().max(64).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    after_seq: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    order: z.enum(["asc", "desc"]).default("desc"),
  })
  .strict();

/** Registers the audit routes. */
export function registerAuditRoutes(
  app: FastifyInstance,
  deps: { audit: Pick<AuditLog, "query" | "verify"> },
): void {
  app.get("/api/v1/audit", async (req) => {
    const p = requireRole(req, "auditor");
    const q = auditQuery.parse(req.query);
    const events = await deps.audit.query({
      tenant: p.tenant,
      guid: q.guid === undefined ? undefined : parseUuid(q.guid, "credential GUID"),
      action: q.action,
      since: q.since ? new Date(q.since) : undefined,
      afterSeq: q.after_seq,
      limit: q.limit,
      descending: q.order === "desc",
    });
    return { events };
  });

  app.get("/api/v1/audit/verify", async (req) => {
    requireRole(req, "auditor");
    return deps.audit.verify();
  });
}
