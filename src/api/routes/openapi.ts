/**
 * The OpenAPI 3.1 document at /api/v1/openapi.json, with request bodies generated from the
 * same zod schemas the routes validate with (z.toJSONSchema).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { scheduleSchema } from "../../orchestrator/schedule-spec.js";
import { createCredentialBody, metadataBody, rotateCredentialBody } from "./credentials.js";
import { createWorkflowBody, startRunBody, updateWorkflowBody } from "./workflows.js";

const json = (schema: z.ZodType) => ({
  content: {
    "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) },
  },
});
const problem = {
  description: "problem+json (RFC 9457)",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};
const guidParam = { name: "guid", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

function op(summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { summary, ...extra, responses: { ...responses, "4XX": problem } };
}

/** Builds the OpenAPI document. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "guidvault API", version: "1", description: "Credentials by GUID for workflow apps." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "code", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            code: { type: "string" },
            detail: { type: "string" },
          },
        },
        Schedule: z.toJSONSchema(scheduleSchema, { io: "input" }),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/credentials": {
        post: op(
          "Store a credential; returns its GUID (values are never echoed)",
          { 201: { description: "{guid, version, warnings}" } },
          { requestBody: json(createCredentialBody) },
        ),
        get: op("List the tenant's credentials (metadata only)", { 200: { description: "{credentials}" } }),
      },
      "/api/v1/credentials/{guid}": {
        parameters: [guidParam],
        get: op("Credential config and metadata, no secret", { 200: { description: "credential" } }),
        put: op(
          'Rotate values; If-Match: "<version>" for check-and-set (409 CONFLICT when stale)',
          { 200: { description: "{guid, version}" } },
          { requestBody: json(rotateCredentialBody) },
        ),
        delete: op("Destroy (crypto-shred) the credential", { 204: { description: "destroyed" } }),
      },
      "/api/v1/credentials/{guid}/test": {
        parameters: [guidParam],
        post: op("Test authentication with the stored credential", { 200: { description: "{ok, message}" } }),
      },
      "/api/v1/credentials/{guid}/metadata": {
        parameters: [guidParam],
        post: op(
          "Fetch databases or schemas for building filters",
          { 200: { description: "metadata" } },
          { requestBody: json(metadataBody) },
        ),
      },
      "/api/v1/workflows": {
        post: op(
          "Create a workflow config (credential by GUID, or inline for older clients)",
          { 201: { description: "{workflow_id, credential_guid}" } },
          { requestBody: json(createWorkflowBody) },
        ),
        get: op("List workflows", { 200: { description: "{workflows}" } }),
      },
      "/api/v1/workflows/{id}": {
        parameters: [idParam],
        get: op("Workflow config", { 200: { description: "workflow" } }),
        patch: op(
          "Update config or schedule",
          { 200: { description: "workflow" } },
          { requestBody: json(updateWorkflowBody) },
        ),
        delete: op("Delete the workflow config, its runs' records and its schedule (the credential stays)", {
          204: { description: "deleted" },
        }),
      },
      "/api/v1/workflows/{id}/runs": {
        parameters: [idParam],
        post: op(
          "Start a run; the engine's input is exactly {workflow_id}",
          { 202: { description: "{run_id}" } },
          { requestBody: json(startRunBody) },
        ),
        get: op("Runs of a workflow", { 200: { description: "{runs}" } }),
      },
      "/api/v1/runs/{run_id}": {
        parameters: [
          { name: "run_id", in: "path", required: true, schema: { type: "string", format: "uuid" } },
        ],
        get: op("Run status, counts, masked error, output folder", { 200: { description: "run" } }),
      },
      "/api/v1/health": {
        get: op("Liveness (no authentication)", { 200: { description: "{ok: true}" } }, { security: [] }),
      },
      "/api/v1/apps": {
        get: op("Installed apps with their auth types and form definitions", {
          200: { description: "{apps}" },
        }),
      },
      "/api/v1/apps/{name}": {
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        get: op("One app's description and form", { 200: { description: "app" } }),
      },
      "/ui/session": {
        post: op(
          "Web UI sign-in: exchanges an API token for an httpOnly session cookie and a CSRF token",
          { 201: { description: "session view with the CSRF token" } },
          { security: [] },
        ),
        delete: op("Web UI sign-out", { 204: { description: "signed out" } }),
      },
      "/api/v1/audit": {
        get: op("Audit events of the tenant (guid, action, since, after_seq, limit, order)", {
          200: { description: "{events}" },
        }),
      },
      "/api/v1/audit/verify": {
        get: op("Verify the audit hash chain", { 200: { description: "{ok, count}" } }),
      },
    },
  };
}

/** Registers GET /api/v1/openapi.json (no authentication). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  const doc = openApiDocument();
  app.get("/api/v1/openapi.json", async () => doc);
}
