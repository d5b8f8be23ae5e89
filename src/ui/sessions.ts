/**
 * Web UI sessions, held server-side in memory: the browser keeps only a random 256-bit session id
 * in an httpOnly cookie. A session remembers which API token signed in (its SHA-256, never the
 * token), so a revoked token ends its sessions at the next request, and a per-session CSRF token
 * that every state-changing request must echo in a header (synchronizer token pattern).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Session lifetime limits. */
export interface SessionLimits {
  /** A session unused this long ends (ms). Default 30 minutes. */
  idleMs: number;
  /** A session ends this long after sign-in whatever its use (ms). Default 8 hours. */
  absoluteMs: number;
  /** Sessions kept at most; the oldest is dropped beyond it. Default 10,000. */
  max: number;
}

/** Default {@link SessionLimits}. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 30 * 60_000,
  absoluteMs: 8 * 3_600_000,
  max: 10_000,
};

/** A signed-in browser. */
export interface UiSession {
  /** SHA-256 of the API token that signed in (to re-check it on each request). */
  readonly tokenHash: Buffer;
  /** CSRF token the SPA sends in `x-csrf-token` on state-changing requests. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

/** In-memory session store. */
export interface SessionStore {
  /** Starts a session; returns its id (the cookie value) and the session. */
  create(tokenHash: Buffer): { id: string; session: UiSession };
  /** The live session for a cookie value (touching it), or undefined when unknown or expired. */
  get(id: string | undefined): UiSession | undefined;
  /** Ends a session. */
  delete(id: string | undefined): void;
  /** Number of live sessions. */
  size(): number;
}

/** Key of a session in the map: the SHA-256 of its id, so the map never holds a usable cookie. */
function keyOf(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("base64url");
}

/** True when `a` and `b` are equal strings, in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Creates a session store.
 * @example
 * const sessions = createSessionStore({ idleMs: 15 * 60_000 });
 * const { id } = sessions.create(hashToken(token));
 */
export function createSessionStore(
  limits: Partial<SessionLimits> = {},
  now: () => number = Date.now,
): SessionStore {
  const { idleMs, absoluteMs, max } = { ...DEFAULT_SESSION_LIMITS, ...limits };
  const sessions = new Map<string, UiSession>();
  const expired = (s: UiSession, t: number) => t - s.lastSeenAt > idleMs || t - s.createdAt > absoluteMs;
  const sweep = (t: number) => {
    for (const [k, s] of sessions) if (expired(s, t)) sessions.delete(k);
  };
  return {
    create(tokenHash) {
      const t = now();
      if (sessions.size >= max) sweep(t);
      while (sessions.size >= max) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      const id = randomBytes(32).toString("base64url");
      const session: UiSession = {
        tokenHash,
        csrfToken: randomBytes(32).toString("base64url"),
        createdAt: t,
        lastSeenAt: t,
      };
      sessions.set(keyOf(id), session);
      return { id, session };
    },
    get(id) {
      if (!id || id.length > 100) return undefined;
      const key = keyOf(id);
      const s = sessions.get(key);
      if (!s) return undefined;
      const t = now();
      if (expired(s, t)) {
        sessions.delete(key);
        return undefined;
      }
      s.lastSeenAt = t;
      return s;
    },
    delete(id) {
      if (id) sessions.delete(keyOf(id));
    },
    size: () => sessions.size,
  };
}
