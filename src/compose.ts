/**
 * The composition root: builds every service from a validated {@link Config} and wires them by
 * hand. `npm start`, the CLI and the tests all start here.
 */
import { type AnyApp, type AppRegistry, createAppRegistry } from "./app-sdk/index.js";
import { builtinApps } from "./apps/index.js";
import { createPostgresAuditLog } from "./audit/backends/postgres.js";
import type { AuditLog } from "./audit/types.js";
import type { Config } from "./config/env.js";
import { createCredentialService } from "./credentials/service.js";
import type { CredentialService } from "./credentials/types.js";
import { type Databases, openDatabases } from "./db/database.js";
import { createLogger, type Logger } from "./log/logger.js";
import { createPostgresSecretStore } from "./secret-store/backends/postgres.js";
import { loadMasterKey, type MasterKey } from "./secret-store/master-key.js";
import type { SecretStore } from "./secret-store/types.js";
import { createPostgresStateStore } from "./state-store/backends/postgres.js";
import type { StateStore } from "./state-store/types.js";

/** The core services of one guidvault process. */
export interface Core {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Databases;
  readonly masterKey: MasterKey;
  readonly audit: AuditLog;
  readonly secretStore: SecretStore;
  /** Workflow configs, credential configs, runs, tokens (state role; never a secret). */
  readonly stateStore: StateStore;
  /** Installed apps (built-in plus `CoreOptions.extraApps`). */
  readonly apps: AppRegistry;
  /** Both halves of credentials together: create, resolve, rotate, destroy, test. */
  readonly credentials: CredentialService;
  /** Flushes the audit log, closes pools, stops the embedded PostgreSQL if started here. */
  close(): Promise<void>;
}

/** Options of {@link createCore}. */
export interface CoreOptions {
  logger?: Logger;
  /** Connection pool size per role (default 40). */
  poolSize?: number;
  /** Apps installed besides the built-in ones. */
  extraApps?: AnyApp[];
}

/**
 * Opens the database (embedded or `DATABASE_URL`), checks the master key and builds the services.
 * @throws GuidvaultError `MASTER_KEY_MISMATCH`, `STORE_UNAVAILABLE`, `CONFIG_INVALID`
 */
export async function createCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const masterKey = await loadMasterKey(config.masterKey, config.dataDir);
  const pgLog = logger.child({ component: "postgres" });
  const db = await openDatabases(config, {
    masterKey: masterKey.key,
    poolSize: opts.poolSize,
    onPostgresLog: (line) => pgLog.debug(line),
  });
  const audit = createPostgresAuditLog({ pool: db.auditPool, batchMax: config.auditBatchMax });
  const secretStore = createPostgresSecretStore({ pool: db.secretPool, audit, masterKey: masterKey.key });
  const stateStore = createPostgresStateStore({ pool: db.statePool });
  const apps = createAppRegistry([...builtinApps, ...(opts.extraApps ?? [])]);
  const credentials = createCredentialService({ secretStore, stateStore, apps, audit });
  return {
    config,
    logger,
    db,
    masterKey,
    audit,
    secretStore,
    stateStore,
    apps,
    credentials,
    async close() {
      await secretStore.close();
      await db.close();
    },
  };
}
