/**
 * `guidvault keys rotate`: make a new KEK primary and re-wrap every DEK under it in batches, with
 * a progress bar on stderr. Ctrl-C stops between batches; the next run resumes.
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { withInterrupt } from "../interrupt.js";
import { intOption } from "../options.js";
import { createProgress, formatCount } from "../progress.js";

async function rotate(ctx: CliContext, opts: { batchSize: number; new?: boolean }): Promise<void> {
  await ctx.withCore(async (core) => {
    const progress = createProgress(ctx.io.stderr, { label: "re-wrapping DEKs", unit: "DEKs" });
    const started = Date.now();
    let done = 0;
    let interrupted = false;
    try {
      const result = await withInterrupt(
        (signal) =>
          core.secretStore.rotateKek({
            batchSize: opts.batchSize,
            forceNew: opts.new === true,
            signal,
            onProgress: (d, total) => {
              done = d;
              progress.update(d, total);
            },
          }),
        () => {
          interrupted = true;
          ctx.err("\ninterrupted: stopping after the current batch (press Ctrl-C again to quit at once)\n");
        },
      );
      progress.stop();
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? ` (${formatCount(result.rewrapped / seconds)} DEKs/s)` : "";
      await ctx.out(
        `KEK rotation ${result.resumed ? "resumed and " : ""}complete: primary KEK ${result.kekId}; ` +
          `${formatCount(result.rewrapped)} DEKs re-wrapped in ${seconds.toFixed(1)} s${rate}\n`,
      );
    } catch (err) {
      progress.stop();
      // Also when Ctrl-C in a terminal reached an embedded PostgreSQL started by this command
      // (same process group): the open batch was rolled back, the committed ones stay.
      if (interrupted) {
        throw new CliError(
          "INTERRUPTED",
          `KEK rotation interrupted after ${formatCount(done)} DEKs were re-wrapped by this run; every credential stays readable`,
          "run `guidvault keys rotate` again to resume where it stopped",
          EXIT.INTERRUPTED,
        );
      }
      throw err;
    }
  });
}

/** Adds the `keys` command group to `program`. */
export function registerKeyCommands(program: Command, ctx: CliContext): void {
  const group = program.command("keys").description("manage the key ring (KEKs)");
  group
    .command("rotate")
    .description(
      "make a new KEK primary and re-wrap every DEK under it, in batches (ciphertext is not touched).\n" +
        "Resumes an unfinished rotation; Ctrl-C stops between batches and a rerun resumes.",
    )
    .option("--batch-size <n>", "DEKs re-wrapped per transaction", intOption(1, 100_000), 2000)
    .option("--new", "start a new rotation even if an unfinished one exists")
    .action((opts: { batchSize: number; new?: boolean }) => rotate(ctx, opts));
}
