/**
 * `guidvault tokens create|list|revoke`: API tokens with a tenant and a role. The token is
 * printed once at creation; only its SHA-256 is stored.
 */
import type { Command } from "commander";
import { createTokenService, TOKEN_ROLES, type TokenRole } from "../../tokens/service.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT } from "../errors.js";
import { table } from "../format.js";

/** Adds the `tokens` command group to `program`. */
export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const tokens = program
    .command("tokens")
    .description("API tokens (bearer tokens for the HTTP API and the web UI)");
  tokens
    .command("create")
    .description("create a token and print it once (stdout); store it now, it cannot be shown again")
    .requiredOption("--tenant <tenant>", "tenant the token acts in")
    .option("--role <role>", `one of ${TOKEN_ROLES.join(", ")}`, "operator")
    .option("--name <name>", "label shown in lists", "cli")
    .action(async (opts: { tenant: string; role: string; name: string }) => {
      if (!TOKEN_ROLES.includes(opts.role as TokenRole)) {
        throw new CliError(
          "BAD_REQUEST",
          `--role must be one of ${TOKEN_ROLES.join(", ")}`,
          undefined,
          EXIT.USAGE,
        );
      }
      await ctx.withCore(async (core) => {
        const service = createTokenService({ stateStore: core.stateStore });
        const { record, token } = await service.create({
          tenant: opts.tenant,
          role: opts.role as TokenRole,
          name: opts.name,
        });
        ctx.err(
          `created token ${record.id} (tenant ${record.tenant}, role ${record.role}); it is shown once:\n`,
        );
        // Written unmasked on purpose: this is the one time the token is shown.
        ctx.io.stdout.write(`${token}\n`);
      });
    });
  tokens
    .command("list")
    .description("list a tenant's tokens (ids, roles, names; never the tokens)")
    .requiredOption("--tenant <tenant>", "tenant")
    .action(async (opts: { tenant: string }) => {
      await ctx.withCore(async (core) => {
        const rows = await core.stateStore.listTokens(opts.tenant);
        await ctx.out(
          table([
            ["ID", "ROLE", "NAME", "CREATED"],
            ...rows.map((t) => [t.id, t.role, t.name, t.createdAt.toISOString()]),
          ]),
        );
      });
    });
  tokens
    .command("revoke")
    .description("revoke a token by id")
    .argument("<id>", "token id (from `tokens list`)")
    .action(async (id: string) => {
      await ctx.withCore(async (core) => {
        if (!(await core.stateStore.deleteToken(id)))
          throw new CliError("NOT_FOUND", `no token ${id}`, undefined, EXIT.NOT_FOUND);
        await ctx.out(`revoked token ${id}\n`);
      });
    });
}
