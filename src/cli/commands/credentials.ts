/**
 * `guidvault credentials put|describe|list|destroy`: the secret store from a shell. No command
 * prints a secret value; `put` prints only the new GUID on stdout.
 */
import type { Command } from "commander";
import { parseTenant, parseUuid } from "../../ids/index.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { describeText, listText, metadataJson } from "../format.js";
import { parseSecretHalf, promptHidden, promptLine, readAll } from "../prompt.js";

/** Bytes accepted on stdin for a secret half (the store itself allows 64 KiB of JSON). */
const STDIN_LIMIT = 1024 * 1024;

/** Reads the secret half: JSON from a pipe, or a hidden password prompt (asked twice) on a terminal. */
async function readSecretHalf(ctx: CliContext): Promise<Record<string, unknown>> {
  if (!ctx.io.stdin.isTTY) {
    const bytes = await readAll(ctx.io.stdin, STDIN_LIMIT);
    try {
      const secret = parseSecretHalf(bytes);
      ctx.holdSecret(secret);
      return secret;
    } finally {
      bytes.fill(0);
    }
  }
  const password = await promptHidden(ctx.io, "password (input hidden): ");
  ctx.holdSecret(password);
  const again = await promptHidden(ctx.io, "repeat password: ");
  if (again !== password) {
    throw new CliError(
      "ABORTED",
      "the two entries differ; nothing was stored",
      "run the command again",
      EXIT.USAGE,
    );
  }
  return { password };
}

async function put(
  ctx: CliContext,
  opts: { tenant: string; app?: string; authType?: string },
): Promise<void> {
  const tenant = parseTenant(opts.tenant);
  if ((opts.app === undefined) !== (opts.authType === undefined)) {
    throw new CliError(
      "USAGE",
      "--app and --auth-type go together",
      "e.g. --app postgres --auth-type basic",
      EXIT.USAGE,
    );
  }
  const secret = await readSecretHalf(ctx);
  const { app, authType } = opts;
  const result = await ctx.withCore((core) =>
    app && authType
      ? core.credentials.create(tenant, { app, authType, values: secret }, ctx.operator(tenant))
      : core.secretStore.put(tenant, secret, ctx.operator(tenant)),
  );
  for (const w of result.warnings) ctx.err(`warning: ${w}\n`);
  await ctx.out(`${result.guid}\n`);
}

async function describe(ctx: CliContext, guidIn: string, opts: { json?: boolean }): Promise<void> {
  const guid = parseUuid(guidIn, "credential GUID");
  const meta = await ctx.withCore((core) => core.secretStore.describe(guid));
  await ctx.out(opts.json ? `${JSON.stringify(metadataJson(meta), null, 2)}\n` : describeText(meta));
}

async function list(ctx: CliContext, opts: { tenant: string; json?: boolean }): Promise<void> {
  const tenant = parseTenant(opts.tenant);
  const items = await ctx.withCore((core) => core.secretStore.list(tenant));
  if (opts.json) await ctx.out(`${JSON.stringify(items.map(metadataJson), null, 2)}\n`);
  else if (items.length === 0) ctx.err(`no credentials in tenant ${tenant}\n`);
  else await ctx.out(listText(items));
}

async function destroy(ctx: CliContext, guidIn: string, opts: { yes?: boolean }): Promise<void> {
  const guid = parseUuid(guidIn, "credential GUID");
  if (!opts.yes && !ctx.io.stdin.isTTY) {
    throw new CliError(
      "USAGE",
      "refusing to destroy without confirmation: stdin is not a terminal",
      "pass --yes to destroy from a script",
      EXIT.USAGE,
    );
  }
  const meta = await ctx.withCore(async (core) => {
    const m = await core.secretStore.describe(guid);
    if (!opts.yes) {
      ctx.err(
        `about to destroy credential ${guid} (tenant ${m.tenant}, ${m.versions} version(s)).\n` +
          "Its keys are deleted (crypto-shredding): this cannot be undone.\n",
      );
      const answer = await promptLine(ctx.io, "type the GUID to confirm: ");
      if (answer.toLowerCase() !== guid) {
        throw new CliError(
          "ABORTED",
          "the GUID typed does not match; nothing was destroyed",
          undefined,
          EXIT.USAGE,
        );
      }
    }
    // Both halves: the secret (crypto-shredded) and the credential config, if the credential has one.
    await core.credentials.destroy(guid, ctx.operator(m.tenant));
    return m;
  });
  await ctx.out(`destroyed ${guid}: ${meta.versions} version(s) crypto-shredded\n`);
}

/** Adds the `credentials` command group to `program`. */
export function registerCredentialCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command("credentials")
    .description("store, inspect and destroy credentials (secret halves); values are never printed");

  group
    .command("put")
    .description(
      "store a secret half (JSON object on stdin, or a hidden password prompt) and print only its GUID",
    )
    .requiredOption("--tenant <tenant>", "tenant the credential belongs to")
    .option(
      "--app <app>",
      "store a whole credential for this app (stdin: all its values, e.g. host, port, username, password)",
    )
    .option("--auth-type <type>", "auth type of the app's credential, e.g. basic")
    .action((opts: { tenant: string; app?: string; authType?: string }) => put(ctx, opts));

  group
    .command("describe")
    .description("show a credential's metadata: versions, KEK, created, last access")
    .argument("<guid>", "credential GUID")
    .option("--json", "print JSON")
    .action((guid: string, opts: { json?: boolean }) => describe(ctx, guid, opts));

  group
    .command("list")
    .description("list a tenant's live credentials (metadata only), oldest first")
    .requiredOption("--tenant <tenant>", "tenant to list")
    .option("--json", "print a JSON array")
    .action((opts: { tenant: string; json?: boolean }) => list(ctx, opts));

  group
    .command("destroy")
    .description("crypto-shred every version of a credential (asks to type the GUID unless --yes)")
    .argument("<guid>", "credential GUID")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .action((guid: string, opts: { yes?: boolean }) => destroy(ctx, guid, opts));
}
