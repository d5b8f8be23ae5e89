/**
 * The canary sweep of issue 2: credentials holding unique canary values are stored through the
 * CLI and the core, resolved, logged about (carelessly, on purpose), the database is
 * checkpointed and stopped, and then every byte guidvault left behind is searched for every
 * canary in every encoding (test/helpers/canary.ts): zero hits.
 *
 * Runs on the EMBEDDED PostgreSQL in a fresh data dir (no DATABASE_URL) with the key file (no
 * GUIDVAULT_MASTER_KEY), so the swept data dir holds the whole cluster, WAL included. Nothing is
 * excluded from the sweep: the master key file and the superuser password file are swept too
 * (they are not credential values, so they must not match either). The CLI processes get a
 * TMPDIR inside the swept tree; entries created in the system temp dir during the test are swept
 * as well.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/compose.js";
import { loadConfig } from "../../src/config/env.js";
import { createLogger } from "../../src/log/logger.js";
import type { Accessor } from "../../src/secret-store/types.js";
import { type CliResult, runCli } from "../cli/run-cli.js";
import { type Hit, newCanary, sweepBuffers, sweepFiles, UNREADABLE_FORM } from "../helpers/canary.js";
import { adminQuery } from "../helpers/core.js";

const op: Accessor = { kind: "operator", tenant: "acme", principal: "canary-test" };

describe("canary sweep: no canary in the data dir (WAL included), logs or CLI output", () => {
  let tmpBefore: Set<string>;
  let root: string;
  let dataDir: string;
  let logFile: string;
  const outputs: Array<{ where: string; data: string }> = [];
  // Cases 007 and 008 angles: newCanary() already holds `"`, `\`, `é`, `%`, `+`, `/` and a space.
  const c = {
    cli: newCanary("cli"),
    cliNote: `gvc_oe_${randomBytes(8).toString("hex")}pa"ss\\wörd`, // case 007's own example
    cliAttached: newCanary("cliattached"),
    cliBadJson: newCanary("badjson"),
    core: newCanary("core"),
    coreToken: newCanary("token"),
  };
  const canaries = Object.values(c);

  const cli = async (label: string, args: string[], input?: string): Promise<CliResult> => {
    const env = { GUIDVAULT_DATA_DIR: dataDir, GUIDVAULT_LOG_LEVEL: "debug", TMPDIR: path.join(root, "tmp") };
    const r = await runCli(args, { env, input });
    outputs.push({ where: `${label} stdout`, data: r.stdout }, { where: `${label} stderr`, data: r.stderr });
    return r;
  };

  beforeAll(async () => {
    tmpBefore = new Set(await fs.readdir(os.tmpdir()));
    root = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-canary-"));
    await fs.mkdir(path.join(root, "tmp")); // the CLI processes' TMPDIR (tsx cache...), swept with root
    dataDir = path.join(root, "data");
    logFile = path.join(root, "logs", "guidvault.log");
    await fs.mkdir(path.dirname(logFile), { recursive: true });
  });
  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it("stores, resolves and logs canaries, then finds none of them anywhere", async () => {
    // 1. The CLI alone: no server running, so it starts the embedded PostgreSQL (initdb) and stops it.
    const first = await cli(
      "put (own server)",
      ["credentials", "put", "--tenant", "acme"],
      JSON.stringify({
        password: c.cli,
        note: c.cliNote,
      }),
    );
    expect(first.code, first.stderr).toBe(0);
    const cliGuid = first.stdout.trim();
    await expect(fs.access(path.join(dataDir, "pg", "postmaster.pid"))).rejects.toThrow(); // stopped again
    const bad = await cli(
      "put (bad JSON)",
      ["credentials", "put", "--tenant", "acme"],
      `{"password": "${c.cliBadJson}",`,
    );
    expect(bad.code).toBe(2);
    const weak = await cli(
      "put (weak, case 008)",
      ["credentials", "put", "--tenant", "acme"],
      '{"password":"test"}',
    );
    expect(weak.code).toBe(0);
    expect(weak.stderr).toContain('warning: secret field "password" is shorter than 8 characters');

    // 2. The core in-process, logging to a file through the real masked logger.
    const logger = createLogger({
      level: "debug",
      destination: pino.destination({ dest: logFile, sync: true }),
    });
    const config = loadConfig({ GUIDVAULT_DATA_DIR: dataDir, GUIDVAULT_LOG_LEVEL: "debug" });
    const core = await createCore(config, { logger, poolSize: 4 });
    let closed = false;
    try {
      expect(core.db.embedded?.startedHere).toBe(true);
      expect(core.masterKey.source).toBe("file");
      const put = await core.secretStore.put("acme", { password: c.core, api_token: c.coreToken }, op);

      // 3. The CLI again while this process runs the server: it attaches instead of starting one.
      const attached = await cli(
        "put (attached)",
        ["credentials", "put", "--tenant", "acme"],
        JSON.stringify({
          password: c.cliAttached,
        }),
      );
      expect(attached.code, attached.stderr).toBe(0);
      for (const [label, args] of [
        ["describe", ["credentials", "describe", cliGuid]],
        ["list", ["credentials", "list", "--tenant", "acme", "--json"]],
        ["export", ["audit", "export", "--jsonl"]],
        ["tail", ["audit", "tail", "-n", "50"]],
        ["verify", ["audit", "verify"]],
        ["doctor", ["doctor"]],
      ] as const) {
        const r = await cli(label, [...args]);
        expect(r.code, `${label}: ${r.stderr}`).toBe(0);
      }
      expect(outputs.find((o) => o.where === "doctor stdout")?.data).toContain("already running (attached)");

      // 4. Resolve everything and log carelessly while the values are registered with the masker.
      const resolvedValues: string[] = [];
      for (const guid of [cliGuid, put.guid, attached.stdout.trim()]) {
        const r = await core.secretStore.getCredentials(guid, op);
        for (const v of Object.values(r.secret)) resolvedValues.push(String(v));
        const pw = String(r.secret.password);
        logger.info({ guid, resolved: r.secret }, "resolved credential");
        logger.info({ detail: `config=${JSON.stringify(r.secret)}`, copy: { ...r.secret } }, "copied");
        logger.warn(`password for ${guid} is ${pw}`);
        logger.error(
          { err: new Error(`connect ECONNREFUSED postgresql://app_user:${pw}@db.internal:5432/sales`) },
          "driver error (case 002)",
        );
        logger.error(new Error(`libpq: host=db.internal port=5432 password=${pw} sslmode=require`));
        logger.info({
          req: {
            method: "GET",
            url: `/x?token=${encodeURIComponent(pw)}`,
            headers: { authorization: `Basic ${Buffer.from(`app_user:${pw}`).toString("base64")}` },
          },
          hex: Buffer.from(pw).toString("hex"),
        });
        r.release();
      }
      expect(resolvedValues).toEqual(
        expect.arrayContaining([c.cli, c.cliNote, c.core, c.coreToken, c.cliAttached]),
      );
      logger.info({ host: "test-db", note: "value" }, "connecting to test-db"); // case 008: stays readable

      // 5. Flush everything to disk, then stop.
      await adminQuery(core.db.adminUrl, "CHECKPOINT");
      logger.flush();
      await core.close();
      closed = true;
    } finally {
      if (!closed) await core.close();
    }
    await expect(fs.access(path.join(dataDir, "pg", "postmaster.pid"))).rejects.toThrow();

    // 6. The sweeps. First make sure they can see: the cluster has WAL, the log has lines.
    const wal = await fs.readdir(path.join(dataDir, "pg", "pg_wal"));
    expect(wal.some((f) => /^[0-9A-F]{24}$/.test(f))).toBe(true);
    const log = await fs.readFile(logFile, "utf8");
    expect(log.split("\n").length).toBeGreaterThan(15);
    expect(log).toContain("connecting to test-db");
    expect(log).toContain('"host":"test-db"');
    expect(sweepBuffers([{ where: "control", data: JSON.stringify({ x: c.core }) }], canaries)).not.toEqual(
      [],
    );

    expect(await fs.readdir(path.join(root, "tmp"))).not.toEqual([]); // the CLI's temp files (tsx cache)
    const fileHits = await sweepFiles([dataDir, path.dirname(logFile), path.join(root, "tmp")], canaries);
    const outputHits = sweepBuffers(outputs, canaries);
    expect(fileHits).toEqual([]);
    expect(outputHits).toEqual([]);
    expect(outputs.length).toBeGreaterThanOrEqual(20);

    // 7. Everything else created in the temp dir while the test ran (this process's and other
    // processes' files). A file removed between listing and reading (ENOENT) no longer exists.
    const created = (await fs.readdir(os.tmpdir()))
      .filter((name) => !tmpBefore.has(name) && name !== path.basename(root))
      .map((name) => path.join(os.tmpdir(), name));
    const tmpHits = (await sweepFiles(created, canaries)).filter(
      (h: Hit) => !(h.form.startsWith(UNREADABLE_FORM) && h.form.includes("ENOENT")),
    );
    expect(tmpHits).toEqual([]);
  });
});
