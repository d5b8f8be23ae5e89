/**
 * Bearer-token authentication for the API, with a limit on failed attempts per client address
 * (a failed token never reaches a log or an audit event; case 010).
 */
import type { FastifyRequest } from "fastify";
import { GuidvaultError } from "../errors/index.js";
import type { ApiToken } from "../state-store/types.js";
import { roleAtLeast, type TokenRole, type TokenService } from "../tokens/service.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: ApiToken;
  }
}

/** Failed authentications allowed per address per window. */
export const FAILED_AUTH_LIMIT = 20;
/** Window of the failed-authentication limit (ms). */
export const FAILED_AUTH_WINDOW_MS = 60_000;

/** Counts failed authentications per client address in a fixed window. */
export function createFailedAuthLimiter(limit = FAILED_AUTH_LIMIT, windowMs = FAILED_AUTH_WINDOW_MS) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return {
    blocked(key: string): boolean {
      const h = hits.get(key);
      return !!h && h.resetAt > Date.now() && h.count >= limit;
    },
    fail(key: string): void {
      const now = Date.now();
      const h = hits.get(key);
      if (!h || h.resetAt <= now) {
        if (hits.size > 10_000) hits.clear();
        hits.set(key, { count: 1, resetAt: now + windowMs });
      } else h.count++;
    },
  };
}

/** Extracts the bearer token from the Authorization header (RFC 6750 section 2.1). */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== "string") return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Creates the authenticate function used by every /api route. */
export function createAuthenticator(tokens: TokenService, limiter = createFailedAuthLimiter()) {
  return async (req: FastifyRequest, token: string | undefined): Promise<ApiToken> => {
    try {
      return await tokens.authenticate(token);
    } catch (err) {
      // Only failures are limited: a caller with a valid token is never locked out by others
      // guessing from the same address (tokens are 256-bit random; the limit slows guessing
      // and keeps the log readable).
      if (limiter.blocked(req.ip)) {
        throw new GuidvaultError(
          "RATE_LIMITED",
          "too many failed authentications from this address; wait a minute",
          {
            details: { retryAfterSeconds: Math.ceil(FAILED_AUTH_WINDOW_MS / 1000) },
          },
        );
      }
      limiter.fail(req.ip);
      throw err;
    }
  };
}

/** Throws `ACCESS_DENIED` unless the request's principal has at least `role`. */
export function requireRole(req: FastifyRequest, role: TokenRole): ApiToken {
  const p = req.principal;
  if (!p)
    throw new GuidvaultError(
      "UNAUTHENTICATED",
      "authentication required: send a valid API token in the Authorization header",
    );
  if (!roleAtLeast(p.role, role))
    throw new GuidvaultError("ACCESS_DENIED", `this action needs the ${role} role; the token has ${p.role}`);
  return p;
}
