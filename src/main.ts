/**
 * `npm start`: everything in one process (embedded PostgreSQL unless DATABASE_URL, the API and
 * a worker). Prints the URL and, on first start, the admin token.
 */
import { loadConfig } from "./config/env.js";
import { maskError } from "./redact/index.js";
import { startRuntime } from "./runtime.js";
import type { ProcessRole } from "./orchestrator/types.js";

/** Starts a process in `role` and keeps it running until SIGINT/SIGTERM. */
export async function runProcess(role: ProcessRole): Promise<void> {
  let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
  try {
    const config = loadConfig();
    process.stderr.write(`guidvault: starting (${role}) with data dir ${config.dataDir}${config.databaseUrl ? " on DATABASE_URL" : " on the embedded PostgreSQL"}...\n`);
    runtime = await startRuntime(config, { role });
  } catch (err) {
    const m = maskError(err);
    process.stderr.write(`guidvault: could not start [${m.code}]: ${m.message}\n`);
    process.exit(m.code === "CONFIG_INVALID" ? 2 : 4);
  }
  if (runtime.url) process.stdout.write(`guidvault: API and web UI listening on ${runtime.url}\n`);
  if (role !== "serve") process.stdout.write("guidvault: worker running\n");
  if (runtime.bootstrapToken) {
    process.stdout.write(
      `guidvault: first start: admin token (shown once, store it now):\n\n    ${runtime.bootstrapToken}\n\n` +
        `  use it as:  curl -H "Authorization: Bearer <token>" ${runtime.url}/api/v1/credentials\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`guidvault: ${signal} received, stopping...\n`);
    await runtime?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

