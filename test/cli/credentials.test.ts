import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { adminQuery, createTestDatabase } from "../helpers/core.js";
import { cliEnv, GUID_LINE, newKeyAndDir, runCli } from "./run-cli.js";

describe("guidvault credentials (real CLI process, real PostgreSQL)", () => {
  let env: Record<string, string>;
  let databaseUrl: string;
  let masterKey: Buffer;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase("cli");
    const k = await newKeyAndDir();
    masterKey = k.masterKey;
    env = cliEnv(databaseUrl, masterKey, k.dataDir);
  });

  const secret = () => `cli-secret-${randomBytes(8).toString("hex")}`;

  it("put reads a JSON secret half from stdin and prints only the GUID", async () => {
    const value = secret();
    const r = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: JSON.stringify({ password: value, api_key: `k-${value}` }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(GUID_LINE);
    expect(r.stderr).toBe("");
    const rows = await adminQuery(databaseUrl, "SELECT tenant FROM secret.credential WHERE guid = $1", [
      r.stdout.trim(),
    ]);
    expect(rows).toEqual([{ tenant: "acme" }]);
  });

  it("put warns about a weak secret on stderr, still printing only the GUID on stdout (case 008)", async () => {
    const r = await runCli(["credentials", "put", "--tenant", "acme"], { env, input: '{"password":"test"}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(GUID_LINE);
    expect(r.stderr).toMatch(/^warning: secret field "password" is shorter than 8 characters/);
    expect(r.stderr).not.toContain('"test"');
  });

  it("put refuses bad input with exit 2 and never echoes it", async () => {
    const value = secret();
    const broken = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: `{"password": "${value}"`,
    });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error \[CREDENTIAL_INVALID\]: stdin is not valid JSON/);
    expect(broken.stderr).toMatch(/\nhint: /);
    expect(broken.stdout + broken.stderr).not.toContain(value);

    const array = await runCli(["credentials", "put", "--tenant", "acme"], { env, input: `["${value}"]` });
    expect(array.code).toBe(2);
    expect(array.stderr).toContain("CREDENTIAL_INVALID");
    expect(array.stdout + array.stderr).not.toContain(value);

    const empty = await runCli(["credentials", "put", "--tenant", "acme"], { env, input: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("stdin is empty");

    const tenant = await runCli(["credentials", "put", "--tenant", "Bad Tenant"], {
      env,
      input: `{"password":"${value}"}`,
    });
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toMatch(/^error \[INVALID_ID\]: tenant "Bad Tenant" is invalid/);
  });

  it("put refuses deep nesting, U+0000 and lone surrogates with exit 2 and never echoes the value", async () => {
    const value = secret();
    const put = (input: string, extra: string[] = []) =>
      runCli(["credentials", "put", "--tenant", "acme", ...extra], { env, input });
    const whole = ["--app", "postgres", "--auth-type", "basic"];
    const cred = { host: "db.internal", port: 5432, username: "etl", database: "sales" };
    const cases: Array<[string, string, string[], RegExp]> = [
      [
        "password nested 20000 arrays deep",
        `{"password": ${"[".repeat(20_000)}"${value}"${"]".repeat(20_000)}}`,
        [],
        /stdin secret half: nested more than 16 levels deep/,
      ],
      [
        "extra nested 5000 objects deep",
        `${JSON.stringify({ ...cred, password: value }).slice(0, -1)},"extra":${'{"a":'.repeat(5000)}1${"}".repeat(5001)}`,
        whole,
        /nested more than 16 levels deep/,
      ],
      [
        "NUL in the username",
        JSON.stringify({ ...cred, username: `etl\u0000${value}`, password: value }),
        whole,
        /U\+0000/,
      ],
      [
        "lone surrogate in the password",
        JSON.stringify({ password: `${value}\uD800` }),
        [],
        /unpaired UTF-16 surrogate/,
      ],
    ];
    for (const [name, input, extra, message] of cases) {
      const r = await put(input, extra);
      expect(r.code, name).toBe(2);
      expect(r.stdout, name).toBe("");
      expect(r.stderr, name).toMatch(/^error \[CREDENTIAL_INVALID\]: /);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toContain(value);
    }
  });

  it("put stores a 30 KB private key; nothing of it is printed (the masker copes with long secrets)", async () => {
    let key = `-----BEGIN PRIVATE KEY-----\n${secret()}\n`;
    while (key.length < 30_000) key += `${randomBytes(48).toString("base64")}\n`;
    key += "-----END PRIVATE KEY-----\n";
    const r = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: JSON.stringify({ private_key: key }),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(GUID_LINE);
  });

  it("describe and list show metadata and never the value", async () => {
    const value = secret();
    const put = await runCli(["credentials", "put", "--tenant", "listed"], {
      env,
      input: JSON.stringify({ password: value }),
    });
    const guid = put.stdout.trim();
    const text = await runCli(["credentials", "describe", guid], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^guid +${guid}\ntenant +listed\nversion +1\n`));
    expect(text.stdout).toMatch(/\nkek +kek-/);
    expect(text.stdout).toMatch(/\nlast access +never\n/);
    const json = await runCli(["credentials", "describe", guid, "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      guid,
      tenant: "listed",
      version: 1,
      versions: 1,
      lastAccessAt: null,
    });
    const list = await runCli(["credentials", "list", "--tenant", "listed"], { env });
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toMatch(/^GUID +VERSION +KEK +CREATED +LAST ACCESS$/);
    expect(list.stdout).toContain(guid);
    const listJson = await runCli(["credentials", "list", "--tenant", "listed", "--json"], { env });
    expect((JSON.parse(listJson.stdout) as { guid: string }[]).map((m) => m.guid)).toEqual([guid]);
    for (const r of [put, text, json, list, listJson]) expect(r.stdout + r.stderr).not.toContain(value);
    const none = await runCli(["credentials", "list", "--tenant", "nobody", "--json"], { env });
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it("destroy needs --yes without a terminal; afterwards describe exits 3 with CREDENTIAL_NOT_FOUND", async () => {
    const put = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: JSON.stringify({ password: secret() }),
    });
    const guid = put.stdout.trim();
    const refused = await runCli(["credentials", "destroy", guid], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \[USAGE\]: refusing to destroy without confirmation/);
    expect(refused.stderr).toContain("hint: pass --yes");
    const destroyed = await runCli(["credentials", "destroy", guid, "--yes"], { env });
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toBe(`destroyed ${guid}: 1 version(s) crypto-shredded\n`);
    const left = await adminQuery(
      databaseUrl,
      "SELECT count(*)::int AS n FROM secret.version WHERE guid = $1",
      [guid],
    );
    expect(left[0]?.n).toBe(0);
    const gone = await runCli(["credentials", "describe", guid], { env });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/^error \[CREDENTIAL_NOT_FOUND\]: credential .* not found\nhint: /);
    expect(gone.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a malformed GUID gives exit 2 with INVALID_ID, before touching the database (case 005)", async () => {
    for (const bad of ["not-a-guid", "../../etc/passwd", "' OR 1=1 --"]) {
      const r = await runCli(["credentials", "describe", bad], {
        env: { ...env, DATABASE_URL: "postgresql://x@127.0.0.1:1/x" },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error \[INVALID_ID\]: credential GUID .* is not a UUID/);
    }
  });

  it("usage errors exit 2, --help exits 0", async () => {
    const unknown = await runCli(["credentials", "frobnicate"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error \[USAGE\]: unknown command 'frobnicate'/);
    const missing = await runCli(["credentials", "list"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--tenant <tenant>' not specified");
    const badNumber = await runCli(["keys", "rotate", "--batch-size", "0"], { env });
    expect(badNumber.code).toBe(2);
    const help = await runCli(["credentials", "put", "--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--tenant <tenant>");
  });

  it("another master key gives MASTER_KEY_MISMATCH (exit 4); the right key still works afterwards", async () => {
    const put = await runCli(["credentials", "put", "--tenant", "acme"], {
      env,
      input: JSON.stringify({ password: secret() }),
    });
    const guid = put.stdout.trim();
    const wrong = await runCli(["credentials", "describe", guid], {
      env: { ...env, GUIDVAULT_MASTER_KEY: randomBytes(32).toString("base64") },
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^error \[MASTER_KEY_MISMATCH\]: the master key does not match/);
    expect(wrong.stderr).toContain("hint: use the GUIDVAULT_MASTER_KEY");
    const right = await runCli(["credentials", "describe", guid], { env });
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(guid);
  });

  it("an unreachable database gives STORE_UNAVAILABLE (exit 4) without printing the URL's password (case 002)", async () => {
    const password = secret();
    const r = await runCli(["credentials", "list", "--tenant", "acme"], {
      env: { ...env, DATABASE_URL: `postgresql://app_user:${password}@127.0.0.1:1/sales` },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error \[STORE_UNAVAILABLE\]: /);
    expect(r.stderr).toContain("hint: check that PostgreSQL is reachable");
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it("a bad configuration gives CONFIG_INVALID (exit 2) without echoing the value", async () => {
    const value = `not-a-key-${randomBytes(6).toString("hex")}`;
    const r = await runCli(["credentials", "list", "--tenant", "acme"], {
      env: { ...env, GUIDVAULT_MASTER_KEY: value },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error \[CONFIG_INVALID\]: invalid configuration:\n {2}GUIDVAULT_MASTER_KEY: must be base64/,
    );
    expect(r.stderr).not.toContain(value);
  });

  it("prints a masked stack trace only with GUIDVAULT_LOG_LEVEL=debug", async () => {
    const guid = "00000000-0000-4000-8000-000000000000";
    const quiet = await runCli(["credentials", "describe", guid], { env });
    expect(quiet.code).toBe(3);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["credentials", "describe", guid], {
      env: { ...env, GUIDVAULT_LOG_LEVEL: "debug" },
    });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(debug.stdout).toBe("");
  });

  it("put --app stores a whole credential (both halves) and destroy removes both", async () => {
    const pw = secret();
    const values = {
      host: "db.example.com",
      port: 5432,
      database: "sales",
      username: "reader",
      password: pw,
    };
    const r = await runCli(
      ["credentials", "put", "--tenant", "apps", "--app", "postgres", "--auth-type", "basic"],
      {
        env,
        input: JSON.stringify(values),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(GUID_LINE);
    const guid = r.stdout.trim();
    const cfg = await adminQuery(
      databaseUrl,
      "SELECT config::text AS c FROM state.credential_config WHERE guid = $1",
      [guid],
    );
    expect(cfg[0]?.c).toContain("db.example.com");
    expect(cfg[0]?.c).not.toContain(pw);
    const bad = await runCli(["credentials", "put", "--tenant", "apps", "--app", "postgres"], {
      env,
      input: "{}",
    });
    expect(bad.code).toBe(2);
    const gone = await runCli(["credentials", "destroy", guid, "--yes"], { env });
    expect(gone.code, gone.stderr).toBe(0);
    expect(
      await adminQuery(databaseUrl, "SELECT 1 FROM state.credential_config WHERE guid = $1", [guid]),
    ).toHaveLength(0);
  });

  it("put refuses stdin that is not valid UTF-8 (exit 2), never storing a silently changed secret", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"password":"abc'),
      Buffer.from([0xff]),
      Buffer.from('defghij"}'),
    ]);
    const r = await runCli(["credentials", "put", "--tenant", "acme"], { env, input: bytes });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not valid UTF-8");
    expect(r.stdout).toBe("");
  });
});
