/**
 * The secret store interface: the only part that encrypts or decrypts secret values.
 * Backends live in `./backends/`, one per file, each exporting a factory.
 */

/** A secret half: the secret fields of a credential, a JSON object (for example `{ password }`). */
export type SecretHalf = Readonly<Record<string, unknown>>;

/** Tenant identifier: 1-63 characters of `[a-z0-9_-]`, starting with a letter or digit. */
export type Tenant = string;

/** Credential GUID: a random UUIDv4 in lower-case canonical form (RFC 9562 section 5.4). */
export type CredentialGuid = string;

/**
 * Who asks to resolve a credential. Every resolution and denial is audited with it.
 * - `run`: an activity of a run in progress (`workflowId`, `runId`, `step`).
 * - `test-auth`: an authorised test-connection call from the API (`principal` = token id).
 * - `metadata`: an authorised metadata browse (databases, schemas) for building filters.
 * - `operator`: an administrative tool (CLI) acting for `principal`.
 */
export type Accessor =
  | { kind: "run"; tenant: Tenant; workflowId: string; runId: string; step: string }
  | { kind: "test-auth"; tenant: Tenant; principal: string }
  | { kind: "metadata"; tenant: Tenant; principal: string }
  | { kind: "operator"; tenant: Tenant; principal: string };

/** Decides whether an accessor may resolve a GUID; installed by the orchestrator (access rule). */
export type AccessPolicy = (guid: CredentialGuid, tenant: Tenant, accessor: Accessor) => Promise<boolean>;

/** Metadata of one credential; never a value. */
export interface CredentialMetadata {
  guid: CredentialGuid;
  tenant: Tenant;
  /** Current version (1-based). */
  version: number;
  /** Number of versions still holding key material. */
  versions: number;
  /** KEK id wrapping the current version's DEK. */
  kekId: string;
  createdAt: Date;
  updatedAt: Date;
  /** Last successful resolution, if any. */
  lastAccessAt: Date | null;
}

/** Options of {@link SecretStore.rotate}. */
export interface RotateOptions {
  /** Check-and-set: the version the caller expects to be current; a different one gives `CONFLICT`. */
  expectedVersion?: number;
  /** Who rotates (audited). */
  accessor?: Accessor;
}

/** Progress callback of {@link SecretStore.rotateKek}: DEKs re-wrapped so far and total. */
export type RotationProgress = (done: number, total: number) => void;

/** Result of a KEK rotation. */
export interface KekRotationResult {
  /** The new primary KEK id. */
  kekId: string;
  /** DEKs re-wrapped by this call. */
  rewrapped: number;
  /** True when this call resumed an unfinished rotation instead of starting a new one. */
  resumed: boolean;
}

/** The secret store. All methods throw `STORE_UNAVAILABLE` when the database is unreachable. */
export interface SecretStore {
  /**
   * Encrypts and stores a new credential's secret half under a new random GUID.
   * @throws GuidvaultError `CREDENTIAL_INVALID` for an empty or non-object secret half
   */
  put(tenant: Tenant, secret: SecretHalf, accessor?: Accessor): Promise<PutResult>;
  /**
   * Decrypts the current version in memory and returns it frozen, after its audit event is durable.
   * The values are registered with the masker until `release()` on the result is called.
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND`, `ACCESS_DENIED`, `INTEGRITY_ERROR`, `INVALID_ID`
   */
  getCredentials(guid: CredentialGuid, accessor: Accessor): Promise<ResolvedSecret>;
  /**
   * Stores a new version; older versions stay until destroyed.
   * @returns the new version number
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND`, `CONFLICT` (stale `expectedVersion`)
   */
  rotate(
    guid: CredentialGuid,
    secret: SecretHalf,
    options?: RotateOptions,
  ): Promise<{ version: number; warnings: string[] }>;
  /**
   * Crypto-shreds every version (deletes the wrapped DEKs and ciphertext). Later reads give
   * `CREDENTIAL_NOT_FOUND`.
   * @throws GuidvaultError `CREDENTIAL_NOT_FOUND`
   */
  destroy(guid: CredentialGuid, accessor?: Accessor): Promise<void>;
  /** Metadata only. @throws GuidvaultError `CREDENTIAL_NOT_FOUND` */
  describe(guid: CredentialGuid): Promise<CredentialMetadata>;
  /** Metadata of every live credential of a tenant, oldest first. */
  list(tenant: Tenant): Promise<CredentialMetadata[]>;
  /**
   * Makes a new KEK primary and re-wraps every DEK under it in batches, without touching
   * ciphertext. Resumes an unfinished rotation unless `forceNew`.
   */
  rotateKek(options?: {
    batchSize?: number;
    onProgress?: RotationProgress;
    forceNew?: boolean;
    signal?: AbortSignal;
  }): Promise<KekRotationResult>;
  /** Installs the access rule (default: allow operator and test-auth accessors, deny runs). */
  setAccessPolicy(policy: AccessPolicy): void;
  /** Closes pools and flushes pending audit events. */
  close(): Promise<void>;
}

/** Result of {@link SecretStore.put}. */
export interface PutResult {
  guid: CredentialGuid;
  version: number;
  /** Human-readable warnings, e.g. a secret shorter than the masker's minimum (never the value). */
  warnings: string[];
}

/** A resolved secret half with its version; frozen. */
export interface ResolvedSecret {
  readonly guid: CredentialGuid;
  readonly tenant: Tenant;
  readonly version: number;
  readonly secret: SecretHalf;
  /** Unregisters the values from the masker; call when the credential leaves memory. */
  release(): void;
}
