/**
 * `guidvault audit verify|tail|export`: check the hash chain, watch events, export them as JSON
 * lines. Events hold GUIDs and accessors only, never a value.
 */
import type { Command } from "commander";
import type { AuditEvent } from "../../audit/types.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../errors.js";
import { auditLine } from "../format.js";
import { sleep, withInterrupt } from "../interrupt.js";
import { intOption, isoDateOption } from "../options.js";
import { createProgress, formatCount } from "../progress.js";

/** Events fetched per query by `export` and `tail --follow`. */
const PAGE = 5000;
/** Poll interval of `tail --follow`. */
const FOLLOW_INTERVAL_MS = 1000;

async function verify(ctx: CliContext): Promise<void> {
  const result = await ctx.withCore(async (core) => {
    const progress = createProgress(ctx.io.stderr, { label: "verifying audit chain", unit: "events" });
    try {
      return await core.audit.verify((checked, total) => progress.update(checked, total));
    } finally {
      progress.stop();
    }
  });
  if (result.ok) {
    await ctx.out(`chain OK: ${formatCount(result.count)} events\n`);
    return;
  }
  await ctx.out(
    `chain BROKEN at seq ${result.firstBadSeq}: ${result.reason} (${formatCount(result.count)} events before it are intact)\n`,
  );
  ctx.err(
    `hint: audit event ${result.firstBadSeq} was changed, removed or reordered outside guidvault; ` +
      "compare it with an earlier `guidvault audit export` or a backup\n",
  );
  ctx.exitCode = EXIT.CHECK_FAILED;
}

const render = (e: AuditEvent, json: boolean) => (json ? `${JSON.stringify(e)}\n` : auditLine(e));

async function tail(
  ctx: CliContext,
  opts: { lines: number; follow?: boolean; json?: boolean },
): Promise<void> {
  const json = opts.json === true;
  await ctx.withCore(async (core) => {
    const last = (await core.audit.query({ descending: true, limit: opts.lines })).reverse();
    for (const e of last) await ctx.out(render(e, json));
    if (!opts.follow) return;
    let after = last.at(-1)?.seq ?? (await core.audit.query({ descending: true, limit: 1 }))[0]?.seq ?? 0;
    await withInterrupt(async (signal) => {
      try {
        while (!signal.aborted && !ctx.stdoutClosed()) {
          const events = await core.audit.query({ afterSeq: after, limit: PAGE });
          for (const e of events) await ctx.out(render(e, json));
          after = events.at(-1)?.seq ?? after;
          if (events.length < PAGE) await sleep(FOLLOW_INTERVAL_MS, signal);
        }
      } catch (err) {
        // Ctrl-C in a terminal may also have stopped an embedded server this command started.
        if (!signal.aborted) throw err;
      }
    });
  });
}

async function exportJsonl(ctx: CliContext, opts: { since?: Date }): Promise<void> {
  await ctx.withCore(async (core) => {
    let after = 0;
    for (;;) {
      const events = await core.audit.query({ since: opts.since, afterSeq: after, limit: PAGE });
      for (const e of events) await ctx.out(`${JSON.stringify(e)}\n`);
      if (events.length < PAGE || ctx.stdoutClosed()) return;
      after = events.at(-1)?.seq ?? after;
    }
  });
}

/** Adds the `audit` command group to `program`. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const group = program.command("audit").description("the append-only, hash-chained audit log");

  group
    .command("verify")
    .description(
      'recompute the hash chain: exit 0 and "chain OK: N events", or exit 1 naming the first bad seq',
    )
    .action(() => verify(ctx));

  group
    .command("tail")
    .description("print the latest audit events, oldest first")
    .option("-n, --lines <n>", "how many events", intOption(1, 10_000), 20)
    .option("-f, --follow", "keep printing new events until Ctrl-C")
    .option("--json", "one JSON object per line")
    .action((opts: { lines: number; follow?: boolean; json?: boolean }) => tail(ctx, opts));

  group
    .command("export")
    .description("write audit events to stdout as JSON lines, in seq order")
    .option("--jsonl", "JSON lines, one event per line (the default and only format)", true)
    .option(
      "--since <iso-date>",
      "only events at or after this time (ISO 8601; UTC if no offset)",
      isoDateOption,
    )
    .action((opts: { since?: Date }) => exportJsonl(ctx, opts));
}
