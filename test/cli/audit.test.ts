import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../src/audit/types.js";
import { createTestCore, type TestCore } from "../helpers/core.js";
import { cliEnv, newKeyAndDir, runCli } from "./run-cli.js";

describe("guidvault audit (real CLI process, real PostgreSQL)", () => {
  let core: TestCore;
  let env: Record<string, string>;
  const guids: string[] = [];
  beforeAll(async () => {
    const { masterKey, dataDir } = await newKeyAndDir();
    core = await createTestCore({ masterKey, dataDir, poolSize: 4 });
    env = cliEnv(core.databaseUrl, masterKey, dataDir);
    for (let i = 0; i < 5; i++)
      guids.push((await core.secretStore.put("acme", { password: `audit-cli-secret-${i}` })).guid);
    await core.secretStore.destroy(guids[4] as string);
  });
  afterAll(async () => {
    await core?.close();
  });

  it("export --jsonl writes one event per line in seq order; --since filters; a bad date is exit 2", async () => {
    const r = await runCli(["audit", "export", "--jsonl"], { env });
    expect(r.code).toBe(0);
    const events = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => e.action)).toEqual(["put", "put", "put", "put", "put", "destroy"]);
    expect(Object.keys(events[0] as object)).toEqual(
      expect.arrayContaining([
        "seq",
        "time",
        "tenant",
        "guid",
        "action",
        "accessor",
        "outcome",
        "prevHash",
        "hash",
      ]),
    );
    expect(r.stdout).not.toContain("audit-cli-secret");

    const future = await runCli(["audit", "export", "--since", "2999-01-01T00:00:00Z"], { env });
    expect(future.code).toBe(0);
    expect(future.stdout).toBe("");
    const since = await runCli(["audit", "export", "--since", events[5]?.time as string], { env });
    expect(since.stdout.trimEnd().split("\n")).toHaveLength(1);

    const bad = await runCli(["audit", "export", "--since", "yesterday"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error \[USAGE\]: option '--since <iso-date>' argument 'yesterday' is invalid/,
    );
  });

  it("tail -n prints the last events; --follow prints new ones until Ctrl-C, then exits 0", async () => {
    const two = await runCli(["audit", "tail", "-n", "2"], { env });
    expect(two.code).toBe(0);
    const lines = two.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ +5 {2}\S+ {2}put/);
    expect(lines[1]).toMatch(/^ +6 {2}\S+ {2}destroy/);

    let stdout = "";
    let appended: Promise<unknown> | undefined;
    const follow = await runCli(["audit", "tail", "-n", "1", "--follow", "--json"], {
      env,
      timeoutMs: 30_000,
      onStdout: (chunk, child) => {
        stdout += chunk;
        const seqs = stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as AuditEvent).seq);
        if (seqs.includes(6) && !appended)
          appended = core.secretStore.put("acme", { password: "audit-cli-follow-1" });
        if (seqs.includes(7)) child.kill("SIGINT");
      },
    });
    await appended;
    expect(follow.code).toBe(0);
    const seqs = follow.stdout
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as AuditEvent).seq);
    expect(seqs).toEqual([6, 7]);
  });

  it("verify passes, then exits 1 naming the seq of an audit row edited in SQL", async () => {
    const ok = await runCli(["audit", "verify"], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe("chain OK: 7 events\n");
    expect(ok.stderr).toContain("verifying audit chain: 7/7 events");

    const K = 4;
    const admin = new pg.Client(core.databaseUrl);
    await admin.connect();
    try {
      await admin.query("BEGIN");
      // Superuser only: bypasses the append-only trigger, as an attacker with database access would.
      await admin.query("SET LOCAL session_replication_role = replica");
      await admin.query("UPDATE audit.event SET outcome = 'denied' WHERE seq = $1", [K]);
      await admin.query("COMMIT");
    } finally {
      await admin.end();
    }
    const bad = await runCli(["audit", "verify"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      `chain BROKEN at seq ${K}: hash does not match the event's contents (${K - 1} events before it are intact)\n`,
    );
    expect(bad.stderr).toContain(`hint: audit event ${K} was changed`);
  });
});
