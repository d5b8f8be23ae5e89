/**
 * API tokens: random 256-bit bearer tokens (`gvt_<base64url>`), stored only as their SHA-256
 * digest with a tenant and a role. The token itself is shown once at creation.
 */
import { createHash, randomBytes } from "node:crypto";
import { GuidvaultError } from "../errors/index.js";
import { parseTenant } from "../ids/index.js";
import type { ApiToken, StateStore } from "../state-store/types.js";

/** Roles in increasing privilege: auditor (read audit and metadata), operator (credentials, workflows, runs), admin (all, tokens). */
export const TOKEN_ROLES = ["auditor", "operator", "admin"] as const;
/** One of {@link TOKEN_ROLES}. */
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Token prefix, so leaked tokens are recognisable by scanners. */
export const TOKEN_PREFIX = "gvt_";

/** SHA-256 of a token (its stored form). */
export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Token service. */
export interface TokenService {
  /** Creates a token; returns the record and the token (shown once). */
  create(input: {
    tenant: string;
    role: TokenRole;
    name: string;
    token?: string;
  }): Promise<{ record: ApiToken; token: string }>;
  /** Resolves a presented token. @throws GuidvaultError `UNAUTHENTICATED` */
  authenticate(token: string | undefined): Promise<ApiToken>;
  /** Creates the first admin token when none exists; returns it, or undefined when tokens exist. */
  bootstrap(preset?: string): Promise<{ record: ApiToken; token: string } | undefined>;
}

/** True when `have` is at least `need`. */
export function roleAtLeast(have: TokenRole, need: TokenRole): boolean {
  return TOKEN_ROLES.indexOf(have) >= TOKEN_ROLES.indexOf(need);
}

/** Creates the token service over the state store. */
export function createTokenService(deps: {
  stateStore: Pick<StateStore, "createToken" | "findTokenByHash" | "countTokens">;
}): TokenService {
  const { stateStore } = deps;
  const service: TokenService = {
    async create({ tenant, role, name, token }) {
      if (!TOKEN_ROLES.includes(role))
        throw new GuidvaultError("BAD_REQUEST", `role must be one of ${TOKEN_ROLES.join(", ")}`);
      const value = token ?? `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
      const record = await stateStore.createToken({
        tenant: parseTenant(tenant),
        role,
        name,
        tokenHash: hashToken(value),
      });
      return { record, token: value };
    },
    async authenticate(token) {
      if (!token || token.length > 512)
        throw new GuidvaultError(
          "UNAUTHENTICATED",
          "authentication required: send a valid API token in the Authorization header",
        );
      const record = await stateStore.findTokenByHash(hashToken(token));
      if (!record)
        throw new GuidvaultError(
          "UNAUTHENTICATED",
          "authentication required: send a valid API token in the Authorization header",
        );
      return record;
    },
    async bootstrap(preset) {
      if ((await stateStore.countTokens()) > 0) return undefined;
      return service.create({ tenant: "default", role: "admin", name: "bootstrap admin", token: preset });
    },
  };
  return service;
}
