/**
 * The scale-out layout: `guidvault serve` (API only) and `guidvault worker` (runs only) as
 * separate processes against one DATABASE_URL. A run triggered through the serve process is
 * executed by the worker process.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { createTestDatabase } from "../helpers/core.js";
import { ApiClient } from "../helpers/runtime.js";
import { createSourceDatabase, credentialValues, type SourceDatabase } from "../helpers/source-db.js";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(text: () => string, needle: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!text().includes(needle)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for "${needle}"; output so far:\n${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let src: SourceDatabase;
const procs: Array<{ out: () => string; stop: () => Promise<unknown> }> = [];

function start(role: "serve" | "worker", env: Record<string, string>) {
  let output = "";
  let child: import("node:child_process").ChildProcess | undefined;
  const done = runCli([role], {
    env,
    timeoutMs: 120_000,
    onStdout: (c, ch) => {
      output += c;
      child = ch;
    },
    onStderr: (c, ch) => {
      output += c;
      child = ch;
    },
  });
  const p = {
    out: () => output,
    stop: async () => {
      child?.kill("SIGTERM");
      return done;
    },
    done,
  };
  procs.push(p);
  return p;
}

beforeAll(async () => {
  src = await createSourceDatabase();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await src?.drop();
});

describe("serve + worker processes on one database", () => {
  it("a run triggered on the API process is executed by the worker process", async () => {
    const env = {
      DATABASE_URL: await createTestDatabase("scale"),
      GUIDVAULT_MASTER_KEY: randomBytes(32).toString("base64"),
      GUIDVAULT_DATA_DIR: await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-scale-")),
      GUIDVAULT_BOOTSTRAP_TOKEN: `gvt_${randomBytes(24).toString("base64url")}`,
      GUIDVAULT_PORT: String(await freePort()),
      GUIDVAULT_LOG_LEVEL: "warn",
    };
    const api = start("serve", env);
    await waitFor(api.out, "ready", 60_000);
    const worker = start("worker", env);
    await waitFor(worker.out, "ready", 60_000);
    expect(api.out()).toContain("API and web UI on http://127.0.0.1:");
    expect(worker.out()).not.toContain("API and web UI");

    const client = new ApiClient(`http://127.0.0.1:${env.GUIDVAULT_PORT}`, env.GUIDVAULT_BOOTSTRAP_TOKEN);
    const cred = await client.post("/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: {
        ...credentialValues(src),
      },
    });
    expect(cred.status, cred.text).toBe(201);
    const wf = await client.post("/api/v1/workflows", {
      app: "postgres",
      credential_guid: cred.body.guid,
      config: {},
    });
    const run = await client.post(`/api/v1/workflows/${wf.body.workflow_id}/runs`);
    expect(run.status).toBe(202);
    let status = "";
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await client.get(`/api/v1/runs/${run.body.run_id}`);
      status = r.body.status as string;
      if (status === "succeeded" || status === "failed") {
        expect(r.body.counts).toMatchObject({ tables: src.expected.counts.tables });
        break;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).toBe("succeeded");
    const [a, w] = await Promise.all([api.stop(), worker.stop()]);
    expect(a).toMatchObject({ code: 0 });
    expect(w).toMatchObject({ code: 0 });
    expect(`${api.out()}${worker.out()}`).not.toContain(src.canary);
  });
});
