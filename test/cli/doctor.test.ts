import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { roleNames } from "../../src/db/roles.js";
import { rolePassword } from "../../src/secret-store/master-key.js";
import { createTestDatabase } from "../helpers/core.js";
import { cliEnv, newKeyAndDir, runCli } from "./run-cli.js";

describe("guidvault doctor and schema isolation", () => {
  let databaseUrl: string;
  let masterKey: Buffer;
  let env: Record<string, string>;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase("doc");
    const k = await newKeyAndDir();
    masterKey = k.masterKey;
    env = cliEnv(databaseUrl, masterKey, k.dataDir);
    const put = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: '{"password":"doctor-secret-1"}',
    });
    expect(put.code).toBe(0);
  });

  it("passes and reports the state role refused on the secret schema", async () => {
    const r = await runCli(["doctor"], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^all \d+ checks passed$/);
    expect(lines.filter((l) => !l.startsWith("✓"))).toEqual([lines.at(-1)]);
    expect(r.stdout).toContain("✓ database reachable: PostgreSQL ");
    expect(r.stdout).toContain(
      "✓ master key matches: key check value matches (source: GUIDVAULT_MASTER_KEY)",
    );
    expect(r.stdout).toContain(
      "✓ state role refused on the secret schema: SELECT on secret.version, secret.kek, secret.credential: permission denied",
    );
    expect(r.stdout).toContain("✓ audit role refused on the secret schema");
    expect(r.stdout).toContain("✓ audit role cannot change or delete audit events");
    expect(r.stdout).toContain("✓ key file permissions: master key from GUIDVAULT_MASTER_KEY (no key file)");
  });

  it("the state role, logged in with its own password, is refused on secret.version", async () => {
    const u = new URL(databaseUrl);
    const db = u.pathname.slice(1);
    const role = roleNames(db).state;
    const client = new pg.Client({
      host: u.hostname,
      port: Number(u.port),
      database: db,
      user: role,
      password: rolePassword(masterKey, role),
    });
    await client.connect();
    try {
      expect((await client.query<{ u: string }>("SELECT current_user AS u")).rows[0]?.u).toBe(role);
      await expect(client.query("SELECT * FROM secret.version")).rejects.toMatchObject({
        code: "42501",
        message: expect.stringMatching(/permission denied for schema secret/),
      });
      await expect(client.query("SELECT * FROM secret.kek")).rejects.toMatchObject({ code: "42501" });
    } finally {
      await client.end();
    }
  });

  it("fails (exit 1) on a wrong master key and names MASTER_KEY_MISMATCH", async () => {
    const r = await runCli(["doctor"], {
      env: { ...env, GUIDVAULT_MASTER_KEY: randomBytes(32).toString("base64") },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✓ database reachable");
    expect(r.stdout).toMatch(/✗ master key matches: MASTER_KEY_MISMATCH: the master key does not match/);
    expect(r.stdout).toMatch(/\n {4}hint: use the GUIDVAULT_MASTER_KEY/);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(/^1 of \d+ checks failed$/);
  });

  it("fails (exit 1) when the database is unreachable", async () => {
    const r = await runCli(["doctor"], { env: { ...env, DATABASE_URL: "postgresql://x:y@127.0.0.1:1/x" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ database reachable: STORE_UNAVAILABLE: /);
  });

  it("checks the key file mode: 0600 passes, 0644 fails with a chmod hint", async () => {
    const dataDir = (await newKeyAndDir()).dataDir;
    const fileEnv = { DATABASE_URL: await createTestDatabase("dockf"), GUIDVAULT_DATA_DIR: dataDir };
    const ok = await runCli(["doctor"], { env: fileEnv });
    expect(ok.code).toBe(0);
    const keyFile = path.join(dataDir, "master.key");
    expect(ok.stdout).toContain(`✓ master key matches: key check value matches (source: ${keyFile})`);
    expect(ok.stdout).toContain(`✓ key file permissions: ${keyFile} is 0600`);
    await fs.chmod(keyFile, 0o644);
    const bad = await runCli(["doctor"], { env: fileEnv });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`✗ key file permissions: ${keyFile} is 0644: readable by others`);
    expect(bad.stdout).toContain(`    hint: chmod 600 '${keyFile}'`);
  });
});
