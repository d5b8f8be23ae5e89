/**
 * The SPA's HTTP client. Requests go to the same origin with the session cookie; every
 * state-changing request carries the session's CSRF token in `x-csrf-token`. The CSRF token
 * lives in this module's memory only (never in storage). Errors arrive as RFC 9457 problems and
 * are thrown as {@link ApiError} with the stable `code` and the (server-masked) `detail`.
 */

/** A failed request: the problem document's fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly title: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = "ApiError";
  }
}

let csrfToken: string | undefined;
const unauthenticatedListeners = new Set<() => void>();

/** Sets (or clears) the CSRF token of the current session. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Calls `fn` whenever a request answers 401 (the session ended). Returns an unsubscribe function. */
export function onUnauthenticated(fn: () => void): () => void {
  unauthenticatedListeners.add(fn);
  return () => unauthenticatedListeners.delete(fn);
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const str = (v: unknown, d: string) => (typeof v === "string" ? v : d);
  return new ApiError(
    res.status,
    str(body.code, `HTTP_${res.status}`),
    str(body.detail, res.statusText || "request failed"),
    str(body.title, "Error"),
  );
}

/**
 * Sends a JSON request and returns the parsed body (undefined for 204).
 * @throws ApiError for any non-2xx answer, or code `NETWORK` when the server cannot be reached
 */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  retried = false,
): Promise<T> {
  const h: Record<string, string> = { accept: "application/json", ...headers };
  if (body !== undefined) h["content-type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) h["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
    });
  } catch {
    throw new ApiError(0, "NETWORK", "the guidvault server could not be reached", "Network error");
  }
  if (!res.ok) {
    const err = await problemOf(res);
    // A CSRF refusal usually means the session changed (signed in again in another tab): fetch
    // the current session's token once and retry; without a session, show "session ended".
    if (
      res.status === 403 &&
      !retried &&
      !path.startsWith("/ui/session") &&
      /csrf/i.test(`${err.code} ${err.detail}`)
    ) {
      let session: { signedIn?: boolean; csrfToken?: string } | undefined;
      try {
        session = await request<{ signedIn?: boolean; csrfToken?: string }>("GET", "/ui/session");
      } catch {
        throw err;
      }
      if (session?.signedIn && typeof session.csrfToken === "string") {
        csrfToken = session.csrfToken;
        return request<T>(method, path, body, headers, true);
      }
      for (const fn of unauthenticatedListeners) fn();
      throw err;
    }
    if (res.status === 401 && !path.startsWith("/ui/session"))
      for (const fn of unauthenticatedListeners) fn();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Shorthands. */
export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, body),
  put: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>("PUT", path, body, headers),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  del: <T>(path: string) => request<T>("DELETE", path),
};

/** Encodes a path segment (ids are UUIDs, but never trust that in a URL). */
export const seg = (s: string) => encodeURIComponent(s);
