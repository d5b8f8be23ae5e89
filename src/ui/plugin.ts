/**
 * The web UI's server side: sign-in with an API token into a server-side session (httpOnly,
 * SameSite=Strict cookie), session authentication with CSRF checks for the JSON API, sign-out,
 * and the built single-page app (see {@link registerSpa}). The SPA calls the same `/api/v1`
 * routes as any client; a session only stands in for the bearer token.
 */
import { fastifyCookie } from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createFailedAuthLimiter } from "../api/auth.js";
import { GuidvaultError } from "../errors/index.js";
import type { ApiToken, StateStore } from "../state-store/types.js";
import { hashToken, type TokenService } from "../tokens/service.js";
import {
  createSessionStore,
  DEFAULT_SESSION_LIMITS,
  type SessionLimits,
  type SessionStore,
  safeEqual,
  type UiSession,
} from "./sessions.js";
import { defaultStaticDir, registerSpa } from "./spa.js";

/** Name of the session cookie. */
export const SESSION_COOKIE = "gv_session";
/** Header carrying the session's CSRF token on state-changing requests. */
export const CSRF_HEADER = "x-csrf-token";
/** Path of the session routes (outside `/api/`, so they take no bearer token). */
export const SESSION_PATH = "/ui/session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const signInBody = z.object({ token: z.string().min(1).max(512) }).strict();

/** Dependencies of {@link createWebUi}. */
export interface WebUiDeps {
  tokens: Pick<TokenService, "authenticate">;
  stateStore: Pick<StateStore, "findTokenByHash">;
  /** Folder of the built SPA (`vite build` output). Default: `dist/ui` in the package. */
  staticDir?: string;
  /** Session lifetime limits. */
  sessions?: Partial<SessionLimits>;
}

/** The web UI: a session authenticator for the API and the routes to register. */
export interface WebUi {
  /**
   * Authenticates an `/api` request by its session cookie. Returns undefined when the request
   * carries no session cookie (bearer authentication applies then).
   * @throws GuidvaultError `UNAUTHENTICATED` for an ended session or a revoked token;
   *   `ACCESS_DENIED` for a state-changing request without the session's CSRF token or from
   *   another origin
   */
  authenticate(req: FastifyRequest): Promise<ApiToken | undefined>;
  /** Registers the session routes and the SPA on the API server. */
  register(app: FastifyInstance): Promise<void>;
  /** The session store (for tests and metrics). */
  readonly sessions: SessionStore;
}

function sessionId(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string" || header.length === 0) return undefined;
  return fastifyCookie.parse(header)[SESSION_COOKIE];
}

/**
 * Refuses a browser request sent from another origin. Browsers send `Origin` on every
 * cross-origin request and on same-origin POST/PUT/PATCH/DELETE; its host must be ours.
 */
function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (!host || host !== req.headers.host)
    throw new GuidvaultError("ACCESS_DENIED", "cross-origin request refused");
}

function cookieOptions(req: FastifyRequest, maxAgeSeconds: number) {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "strict" as const,
    secure: req.protocol === "https",
    maxAge: maxAgeSeconds,
  };
}

/**
 * Creates the web UI.
 * @example
 * const ui = createWebUi({ tokens, stateStore });
 * await createApiServer({ ...deps, sessionAuth: ui.authenticate, extend: ui.register });
 */
export function createWebUi(deps: WebUiDeps): WebUi {
  const sessions = createSessionStore(deps.sessions);
  const limits = { ...DEFAULT_SESSION_LIMITS, ...deps.sessions };
  const limiter = createFailedAuthLimiter();

  /** The live session of a cookie value and its token's principal (undefined when either is gone). */
  async function sessionOf(
    id: string | undefined,
  ): Promise<{ session: UiSession; principal: ApiToken } | undefined> {
    const session = sessions.get(id);
    if (!session) return undefined;
    const principal = await deps.stateStore.findTokenByHash(session.tokenHash);
    if (!principal) {
      sessions.delete(id); // the token was revoked: its sessions end with it
      return undefined;
    }
    return { session, principal };
  }

  function checkCsrf(req: FastifyRequest, session: UiSession): void {
    checkOrigin(req);
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== "string" || !safeEqual(sent, session.csrfToken)) {
      throw new GuidvaultError(
        "ACCESS_DENIED",
        `missing or wrong ${CSRF_HEADER} header for this session; reload the page`,
      );
    }
  }

  const authenticate = async (req: FastifyRequest): Promise<ApiToken | undefined> => {
    const id = sessionId(req);
    if (id === undefined) return undefined;
    const found = await sessionOf(id);
    if (!found) throw new GuidvaultError("UNAUTHENTICATED", "your session has ended; sign in again");
    if (!SAFE_METHODS.has(req.method)) checkCsrf(req, found.session);
    return found.principal;
  };

  const view = (p: ApiToken, csrfToken: string) => ({
    signedIn: true,
    tenant: p.tenant,
    role: p.role,
    name: p.name,
    csrfToken,
    idleTimeoutSeconds: Math.round(limits.idleMs / 1000),
  });

  async function register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyCookie, { hook: false });

    app.post(SESSION_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      checkOrigin(req);
      if (limiter.blocked(req.ip))
        throw new GuidvaultError("RATE_LIMITED", "too many failed sign-ins; wait a minute");
      const parsed = signInBody.safeParse(req.body);
      if (!parsed.success) throw new GuidvaultError("BAD_REQUEST", 'send {"token": "<API token>"}');
      let principal: ApiToken;
      try {
        principal = await deps.tokens.authenticate(parsed.data.token);
      } catch (err) {
        limiter.fail(req.ip);
        if (err instanceof GuidvaultError && err.code === "UNAUTHENTICATED") {
          throw new GuidvaultError("UNAUTHENTICATED", "that API token is not valid");
        }
        throw err;
      }
      sessions.delete(sessionId(req)); // a new id on every sign-in (no session fixation)
      const { id, session } = sessions.create(hashToken(parsed.data.token));
      reply.setCookie(SESSION_COOKIE, id, cookieOptions(req, Math.floor(limits.absoluteMs / 1000)));
      req.log.info({ tokenId: principal.id, tenant: principal.tenant }, "ui sign-in");
      return reply.status(201).send(view(principal, session.csrfToken));
    });

    app.get(SESSION_PATH, async (req: FastifyRequest) => {
      const found = await sessionOf(sessionId(req));
      return found ? view(found.principal, found.session.csrfToken) : { signedIn: false };
    });

    app.delete(SESSION_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      const id = sessionId(req);
      const session = sessions.get(id);
      if (session) {
        checkCsrf(req, session);
        sessions.delete(id);
      }
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      reply.header("clear-site-data", '"storage"'); // responses are never cached (no-store)
      return reply.status(204).send();
    });

    await registerSpa(app, deps.staticDir ?? defaultStaticDir());
  }

  return { authenticate, register, sessions };
}
