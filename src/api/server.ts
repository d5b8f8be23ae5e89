/**
 * The HTTP API (Fastify): JSON over `/api/v1`, bearer tokens, problem+json errors, helmet
 * headers, a 64 KiB body limit. Routes only validate, call a service and map errors.
 */
import helmet from "@fastify/helmet";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { type AppRegistry, checkJsonInput } from "../app-sdk/index.js";
import type { AuditLog } from "../audit/types.js";
import { GuidvaultError } from "../errors/index.js";
import type { Logger } from "../log/logger.js";
import type { Orchestrator } from "../orchestrator/types.js";
import type { ApiToken, StateStore } from "../state-store/types.js";
import type { TokenService } from "../tokens/service.js";
import { bearerToken, createAuthenticator } from "./auth.js";
import { sendProblem, toProblem } from "./problem.js";
import { registerAppRoutes } from "./routes/apps.js";
import { registerAuditRoutes } from "./routes/audit.js";
import type { CredentialServiceLike } from "./routes/credentials.js";
import { registerCredentialRoutes } from "./routes/credentials.js";
import { registerOpenApiRoute } from "./routes/openapi.js";
import { registerWorkflowRoutes } from "./routes/workflows.js";

/** Request body limit (bytes). */
export const BODY_LIMIT = 64 * 1024;

/** Routes answered without authentication. */
const PUBLIC_ROUTES = new Set(["/api/v1/openapi.json", "/api/v1/health"]);

/** Services the API calls. */
export interface ApiDeps {
  logger: Logger;
  tokens: TokenService;
  credentials: CredentialServiceLike;
  stateStore: StateStore;
  orchestrator: Pick<Orchestrator, "startRun" | "syncSchedule">;
  audit: Pick<AuditLog, "query" | "verify" | "append">;
  /** Names of installed apps with their auth types and forms (for clients and the UI). */
  apps: AppRegistry;
  /** Extra plugins (the web UI) registered after the API routes. */
  extend?: (app: FastifyInstance) => Promise<void>;
  /**
   * Session authentication (the web UI's cookie, src/ui), tried for `/api` requests that carry
   * no Authorization header: returns the principal, or undefined when the request has no session.
   */
  sessionAuth?: (req: FastifyRequest) => Promise<ApiToken | undefined>;
}

/** Builds the Fastify app (not listening). */
export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger.child({ component: "api" }) as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify raises before routing (a malformed URL) are problem+json too.
    frameworkErrors: (err, _req, reply) => sendProblem(reply, toProblem(err)),
    trustProxy: false,
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // The UI uses relative URLs only; upgrading them would break the UI served over plain
        // HTTP on a non-loopback address (TLS is terminated in front of guidvault).
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: "no-referrer" },
  });
  // JSON bodies: invalid UTF-8 is refused (400) instead of silently replaced with U+FFFD, which
  // would change a secret; an empty body with a JSON content type is treated as no body.
  const parseJson = app.getDefaultJsonParser("error", "error");
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return done(new GuidvaultError("BAD_REQUEST", "the request body is not valid UTF-8"), undefined);
    }
    parseJson(req, text, done);
  });
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = toProblem(err);
    if (problem.code === "RATE_LIMITED") reply.header("retry-after", String(problem.retryAfterSeconds ?? 60));
    if (problem.status >= 500) req.log.error({ err, code: problem.code }, "request failed");
    else req.log.info({ code: problem.code, status: problem.status }, "request refused");
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      toProblem(
        new GuidvaultError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]?.slice(0, 100)}`),
      ),
    ),
  );

  const authenticate = createAuthenticator(deps.tokens);
  app.addHook("onRequest", async (req) => {
    if (!req.url.startsWith("/api/") || PUBLIC_ROUTES.has(req.url)) return;
    if (req.principal) return; // set by another auth method (UI session)
    if (req.headers.authorization === undefined && deps.sessionAuth) {
      const principal = await deps.sessionAuth(req);
      if (principal) {
        req.principal = principal;
        return;
      }
    }
    req.principal = await authenticate(req, bearerToken(req));
  });

  // Bodies PostgreSQL could not store (U+0000, lone surrogates) or too deep to walk safely are
  // refused before any route sees them.
  app.addHook("preValidation", async (req) => {
    if (req.body === undefined || req.body === null || typeof req.body !== "object") return;
    try {
      checkJsonInput(req.body, "request body", { maxDepth: 32 });
    } catch (err) {
      throw err instanceof GuidvaultError ? new GuidvaultError("BAD_REQUEST", err.message) : err;
    }
  });

  app.get("/api/v1/health", async () => ({ ok: true }));
  registerOpenApiRoute(app);
  registerCredentialRoutes(app, deps);
  registerWorkflowRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerAppRoutes(app, deps);
  if (deps.extend) await deps.extend(app);
  return app;
}
