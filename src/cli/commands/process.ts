/**
 * `guidvault serve` (API only: runs are enqueued for workers) and `guidvault worker` (runs
 * only). Several of each against one DATABASE_URL is how guidvault scales past one machine.
 */
import type { Command } from "commander";
import { runProcess } from "../../main.js";
import type { CliContext } from "../context.js";

/** Adds `serve` and `worker` to `program`. */
export function registerProcessCommands(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("run the HTTP API and web UI only; runs are queued for `guidvault worker` processes")
    .action(async () => {
      ctx.exitCode = await runProcess("serve");
    });
  program
    .command("worker")
    .description("run workflow runs only (no HTTP); start as many as you need against one DATABASE_URL")
    .action(async () => {
      ctx.exitCode = await runProcess("worker");
    });
}
