/**
 * A running guidvault process: core services, the orchestrator (DBOS), and the HTTP API, in one
 * of three roles: `all` (`npm start`), `serve` (API only, enqueues runs) and `worker` (runs
 * only). Several `serve` and `worker` processes against one DATABASE_URL is the scale-out layout.
 */
import type { FastifyInstance } from "fastify";
import { createApiServer } from "./api/server.js";
import { type Core, type CoreOptions, createCore } from "./compose.js";
import type { Config } from "./config/env.js";
import { createAccessPolicy } from "./orchestrator/access-policy.js";
import { createDbosOrchestrator, type RetryPolicy } from "./orchestrator/dbos.js";
import type { Orchestrator, ProcessRole } from "./orchestrator/types.js";
import { createTokenService, type TokenService } from "./tokens/service.js";
import { createWebUi, type WebUiDeps } from "./ui/plugin.js";

/** Options of {@link startRuntime}. */
export interface RuntimeOptions extends CoreOptions {
  role?: ProcessRole;
  /** Activity retry policy override. */
  retry?: Partial<RetryPolicy>;
  /** Registers other plugins on the API server (after the web UI). */
  extendApi?: (app: FastifyInstance, runtime: Runtime) => Promise<void>;
  /** The web UI served at `/` (default: on, from `dist/ui`); `false` serves the API only. */
  ui?: false | Pick<WebUiDeps, "staticDir" | "sessions">;
}

/** A started process. */
export interface Runtime {
  readonly core: Core;
  readonly orchestrator: Orchestrator;
  readonly tokens: TokenService;
  /** Base URL of the API (undefined for workers). */
  readonly url: string | undefined;
  /** The admin token created at first start (shown once), if this start created it. */
  readonly bootstrapToken: string | undefined;
  /** Stops the API, the engine, the pools and the embedded PostgreSQL (if started here). */
  close(): Promise<void>;
}

/**
 * Starts guidvault in the given role.
 * @throws GuidvaultError `MASTER_KEY_MISMATCH`, `STORE_UNAVAILABLE`, `CONFIG_INVALID`
 */
export async function startRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const role = opts.role ?? "all";
  const core = await createCore(config, opts);
  const closers: Array<[string, () => Promise<void>]> = [["core", () => core.close()]];
  let closing: Promise<void> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      for (const [name, close] of closers.reverse()) {
        core.logger.debug({ part: name }, "stopping");
        await close().catch((err) => core.logger.error({ err, part: name }, "shutdown step failed"));
      }
    })();
    return closing;
  };
  try {
    const { apps, credentials } = core;
    core.secretStore.setAccessPolicy(createAccessPolicy(core.stateStore));
    const orchestrator = await createDbosOrchestrator({
      systemDatabaseUrl: core.db.engineUrl,
      migrationUrl: core.db.adminUrl,
      engineRole: core.db.roles.engine,
      dataDir: config.dataDir,
      role,
      logger: core.logger,
      stateStore: core.stateStore,
      resolveCredential: (guid, accessor) => credentials.resolve(guid, accessor),
      apps,
      retry: opts.retry,
    });
    closers.push(["orchestrator", () => orchestrator.close()]);
    const tokens = createTokenService({ stateStore: core.stateStore });
    const boot = role === "worker" ? undefined : await tokens.bootstrap(config.bootstrapToken);
    let url: string | undefined;
    const runtime: Runtime = {
      core,
      orchestrator,
      tokens,
      get url() {
        return url;
      },
      bootstrapToken: boot && !config.bootstrapToken ? boot.token : undefined,
      close: closeAll,
    };
    if (role !== "worker") {
      const ui =
        opts.ui === false ? undefined : createWebUi({ tokens, stateStore: core.stateStore, ...opts.ui });
      const api = await createApiServer({
        logger: core.logger,
        tokens,
        credentials,
        stateStore: core.stateStore,
        orchestrator,
        audit: core.audit,
        apps,
        sessionAuth: ui?.authenticate,
        extend: async (app) => {
          if (ui) await ui.register(app);
          if (opts.extendApi) await opts.extendApi(app, runtime);
        },
      });
      closers.push(["api", () => api.close()]);
      await api.listen({ port: config.port, host: config.host });
      const addr = api.server.address();
      const port = typeof addr === "object" && addr ? addr.port : config.port;
      url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    }
    return runtime;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
