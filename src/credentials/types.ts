/**
 * The credential service interface: joins the two halves of a credential, the secret half in the
 * secret store and the credential config in the state store, under one GUID.
 */
import type { Credential } from "../app-sdk/credential.js";
import type { TestAuthResult } from "../app-sdk/define-app.js";
import type { Accessor } from "../secret-store/types.js";

/** A new credential as submitted (values are validated by the app's auth type schema). */
export interface CreateCredentialInput {
  app: string;
  authType: string;
  values: Record<string, unknown>;
}

/** Result of {@link CredentialService.create}: never a value. */
export interface CreateCredentialResult {
  guid: string;
  version: number;
  /** E.g. a secret shorter than the masker's minimum (case 008). */
  warnings: string[];
}

/** A resolved credential; call `release()` when it leaves memory (ends masker registration). */
export type ResolvedCredential = Credential & { release(): void };

/** Options of {@link CredentialService.rotate}. */
export interface RotateCredentialOptions {
  /** Check-and-set: the version the caller expects to be current; otherwise `CONFLICT` (case 011). */
  expectedVersion?: number;
  /** Who rotates (audited). */
  accessor: Accessor;
}

/** Which half of a credential is missing (case 004), or null when both exist. */
export type MissingHalf = "secret half" | "credential config" | null;

/**
 * What `describe` and `list` show: the credential config and secret metadata, never a value.
 * (A type alias, so it is assignable to `Record<string, unknown>`.)
 */
export type CredentialDescription = {
  guid: string;
  tenant: string;
  /** App and auth type (null when the credential config is missing). */
  app: string | null;
  authType: string | null;
  /** Non-secret fields (null when the credential config is missing). */
  config: Record<string, unknown> | null;
  /** Current secret version (null when the secret half is missing). */
  version: number | null;
  /** Version the credential config was saved at (null when missing). */
  configVersion: number | null;
  /** Versions still holding key material. */
  versions: number;
  /** Dot paths of the auth type's secret fields (names only, for the UI's placeholders). */
  secretFields: string[];
  createdAt: Date;
  updatedAt: Date;
  lastAccessAt: Date | null;
  /** Set when one half is missing: the credential cannot be resolved, only destroyed. */
  missing: MissingHalf;
};

/** The credential service. Every method throws `STORE_UNAVAILABLE` when a store is down. */
export interface CredentialService {
  /**
   * Validates, stores the secret half, then the credential config; if the config cannot be
   * saved the secret half is destroyed again (nothing half-written).
   * @throws GuidvaultError `CREDENTIAL_INVALID`, `CONFIG_INVALID` (unknown app), `INVALID_ID`
   */
  create(tenant: string, input: CreateCredentialInput, accessor: Accessor): Promise<CreateCredentialResult>;
  /**
   * Both halves merged into one frozen object (case 004: never partial).
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND` (naming the missing half), `INTEGRITY_ERROR`
   *   (halves disagree), `ACCESS_DENIED`, `INVALID_ID`
   */
  resolve(guid: string, accessor: Accessor): Promise<ResolvedCredential>;
  /**
   * Partial update: `values` holds any subset of the auth type's fields (nested `extra` merged
   * key by key, `null` removes an optional field). Always makes a new version of both halves.
   * @throws GuidvaultError `CONFLICT` (stale `expectedVersion`), `CREDENTIAL_INVALID`, `CREDENTIAL_NOT_FOUND`
   */
  rotate(
    guid: string,
    values: Record<string, unknown>,
    options: RotateCredentialOptions,
  ): Promise<{ version: number; warnings: string[] }>;
  /**
   * Config and metadata; `tenant`, when given, must own the credential.
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND` when neither half exists
   */
  describe(guid: string, tenant?: string): Promise<CredentialDescription>;
  /** Every credential of a tenant (half-missing ones flagged), oldest first. */
  list(tenant: string): Promise<CredentialDescription[]>;
  /** Destroys both halves (crypto-shreds the secret). @throws GuidvaultError `CREDENTIAL_NOT_FOUND` */
  destroy(guid: string, accessor: Accessor): Promise<void>;
  /**
   * Resolves with a `test-auth` accessor and runs the app's testAuth. Failures of the external
   * system are `{ ok: false }`; the message names host and user, is masked, never holds a secret.
   */
  testAuth(guid: string, accessor: Accessor): Promise<TestAuthResult>;
  /** Resolves with a `metadata` accessor and runs the app's fetchMetadata (errors masked). */
  fetchMetadata(guid: string, request: unknown, accessor: Accessor): Promise<unknown>;
}
