/**
 * Workflow and run routes. A workflow references a credential by GUID; older clients may send
 * the credential inline, which is put in the secret store first and replaced by its GUID
 * before anything else sees the request (case 006).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppRegistry } from "../../app-sdk/index.js";
import type { AuditLog } from "../../audit/types.js";
import { GuidvaultError } from "../../errors/index.js";
import { parseUuid } from "../../ids/index.js";
import { scheduleSchema } from "../../orchestrator/schedule-spec.js";
import type { Orchestrator } from "../../orchestrator/types.js";
import type { Run, StateStore, WorkflowConfig } from "../../state-store/types.js";
import { requireRole } from "../auth.js";
import { type CredentialServiceLike, ownCredential } from "./credentials.js";

const inlineCredentials = z
  .object({ authType: z.string().min(1).max(64), values: z.record(z.string(), z.unknown()) })
  .strict();

/** Body of POST /api/v1/workflows. */
export const createWorkflowBody = z
  .object({
    app: z.string().min(1).max(64),
    credential_guid: z.string().max(64).optional(),
    credentials: inlineCredentials.optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    schedule: scheduleSchema.nullable().optional(),
  })
  .strict()
  .refine((b) => (b.credential_guid === undefined) !== (b.credentials === undefined), {
    message: "give exactly one of credential_guid or credentials",
  });

/** Body of PATCH /api/v1/workflows/:id. */
export const updateWorkflowBody = z
  .object({
    config: z.record(z.string(), z.unknown()).optional(),
    schedule: scheduleSchema.nullable().optional(),
  })
  .strict();

/** Optional body of POST /api/v1/workflows/:id/runs. */
export const startRunBody = z.object({ credentials: inlineCredentials.optional() }).strict();

/** Renders a workflow for clients. */
export function workflowView(w: WorkflowConfig) {
  return {
    workflow_id: w.id,
    app: w.app,
    credential_guid: w.credentialGuid,
    config: w.config,
    schedule: w.schedule,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

/** Renders a run for clients. */
export function runView(r: Run) {
  return {
    run_id: r.id,
    workflow_id: r.workflowId,
    status: r.status,
    counts: r.counts,
    ...(r.error ? { error: r.error } : {}),
    output_dir: r.outputDir,
    trigger: r.trigger,
    created_at: r.createdAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
  };
}

/** Dependencies of the workflow routes. */
export interface WorkflowRouteDeps {
  credentials: CredentialServiceLike;
  audit: Pick<AuditLog, "append">;
  stateStore: StateStore;
  orchestrator: Pick<Orchestrator, "startRun" | "syncSchedule">;
  apps: Pick<AppRegistry, "get">;
}

function validateConfig(
  deps: WorkflowRouteDeps,
  appName: string,
  config: Record<string, unknown>,
): Record<string, unknown> {
  return deps.apps.get(appName).parseConfig(config) as Record<string, unknown>;
}

async function ownWorkflow(
  deps: WorkflowRouteDeps,
  req: FastifyRequest,
  idIn: unknown,
): Promise<WorkflowConfig> {
  const id = parseUuid(idIn, "workflow id");
  const wf = await deps.stateStore.getWorkflow(id);
  if (!wf || wf.tenant !== req.principal?.tenant)
    throw new GuidvaultError("WORKFLOW_NOT_FOUND", `workflow ${id} not found`);
  return wf;
}

/** Registers workflow and run routes. */
export function registerWorkflowRoutes(app: FastifyInstance, deps: WorkflowRouteDeps): void {
  app.post("/api/v1/workflows", async (req, reply) => {
    const p = requireRole(req, "operator");
    const body = createWorkflowBody.parse(req.body);
    const accessor = { kind: "operator" as const, tenant: p.tenant, principal: `token:${p.id}` };
    const config = validateConfig(deps, body.app, body.config);
    let guid: string;
    if (body.credentials) {
      guid = (await deps.credentials.create(p.tenant, { app: body.app, ...body.credentials }, accessor)).guid;
    } else {
      const d = await ownCredential(deps, req, body.credential_guid); // another tenant's GUID: 404, audited
      guid = d.guid;
      if (d.app === null) {
        throw new GuidvaultError(
          "CONFIG_INVALID",
          `credential ${guid} has no credential config (a bare secret half, e.g. from \`guidvault credentials put\` without --app); store it through the API or with --app ${body.app}`,
        );
      }
      if (d.app !== undefined && d.app !== body.app) {
        throw new GuidvaultError(
          "CONFIG_INVALID",
          `credential ${guid} belongs to app ${String(d.app)}, not ${body.app}`,
        );
      }
    }
    const wf = await deps.stateStore.createWorkflow({
      tenant: p.tenant,
      app: body.app,
      credentialGuid: guid,
      config,
      schedule: body.schedule ?? null,
    });
    if (wf.schedule) await deps.orchestrator.syncSchedule(wf.id);
    return reply.status(201).send({ workflow_id: wf.id, credential_guid: guid });
  });

  app.get("/api/v1/workflows", async (req) => {
    const p = requireRole(req, "auditor");
    return { workflows: (await deps.stateStore.listWorkflows(p.tenant)).map(workflowView) };
  });

  app.get<{ Params: { id: string } }>("/api/v1/workflows/:id", async (req) => {
    requireRole(req, "auditor");
    return workflowView(await ownWorkflow(deps, req, req.params.id));
  });

  app.patch<{ Params: { id: string } }>("/api/v1/workflows/:id", async (req) => {
    requireRole(req, "operator");
    const wf = await ownWorkflow(deps, req, req.params.id);
    if (req.headers["if-match"] !== undefined) {
      throw new GuidvaultError(
        "BAD_REQUEST",
        "workflow configs are not versioned: If-Match is not supported here",
      );
    }
    const body = updateWorkflowBody.parse(req.body);
    const patch: Parameters<StateStore["updateWorkflow"]>[1] = {};
    if (body.config) patch.config = validateConfig(deps, wf.app, body.config);
    if (body.schedule !== undefined) patch.schedule = body.schedule;
    const updated = await deps.stateStore.updateWorkflow(wf.id, patch);
    if (body.schedule !== undefined) await deps.orchestrator.syncSchedule(wf.id);
    return workflowView(updated);
  });

  app.delete<{ Params: { id: string } }>("/api/v1/workflows/:id", async (req, reply) => {
    requireRole(req, "operator");
    if (req.headers["if-match"] !== undefined) {
      throw new GuidvaultError(
        "BAD_REQUEST",
        "workflow configs are not versioned: If-Match is not supported here",
      );
    }
    const wf = await ownWorkflow(deps, req, req.params.id);
    await deps.stateStore.deleteWorkflow(wf.id);
    await deps.orchestrator.syncSchedule(wf.id); // removes the engine schedule
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>("/api/v1/workflows/:id/runs", async (req, reply) => {
    const p = requireRole(req, "operator");
    const wf = await ownWorkflow(deps, req, req.params.id);
    const body = startRunBody.parse(req.body ?? {});
    if (body.credentials) {
      // Older clients send credentials with every start: they become a new version of the
      // workflow's credential; only the GUID travels on.
      await deps.credentials.rotate(wf.credentialGuid, body.credentials.values, {
        accessor: { kind: "operator", tenant: p.tenant, principal: `token:${p.id}` },
      });
    }
    const runId = await deps.orchestrator.startRun(wf.id, { trigger: "api", tenant: wf.tenant });
    return reply.status(202).send({ run_id: runId });
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    "/api/v1/workflows/:id/runs",
    async (req) => {
      requireRole(req, "auditor");
      const wf = await ownWorkflow(deps, req, req.params.id);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
      return { runs: (await deps.stateStore.listRuns(wf.id, limit)).map(runView) };
    },
  );

  app.get<{ Params: { runId: string } }>("/api/v1/runs/:runId", async (req) => {
    requireRole(req, "auditor");
    const id = parseUuid(req.params.runId, "run id");
    const run = await deps.stateStore.getRun(id);
    if (!run || run.tenant !== req.principal?.tenant)
      throw new GuidvaultError("RUN_NOT_FOUND", `run ${id} not found`);
    return runView(run);
  });
}
