/**
 * `npm run demo`: starts guidvault on the embedded PostgreSQL (data dir `./.guidvault-demo`
 * unless GUIDVAULT_DATA_DIR is set), creates a sample source database with its own role and
 * password, and runs the whole flow through the HTTP API, printing each step.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../config/env.js";
import { maskError } from "../redact/index.js";
import { startRuntime } from "../runtime.js";
import { createSampleSource } from "./sample-db.js";

const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  process.env.GUIDVAULT_DATA_DIR ??= "./.guidvault-demo";
  process.env.GUIDVAULT_PORT ??= "0";
  process.env.GUIDVAULT_LOG_LEVEL ??= "warn";
  const config = loadConfig();
  if (config.databaseUrl) throw new Error("the demo runs on the embedded PostgreSQL; unset DATABASE_URL");
  say(`1. starting guidvault (data dir ${config.dataDir})`);
  const rt = await startRuntime(config, { role: "all" });
  try {
    const { token } = await rt.tokens.create({
      tenant: "demo",
      role: "admin",
      name: `demo ${new Date().toISOString()}`,
    });
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${rt.url}${p}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${method} ${p} -> ${res.status} ${json.code}: ${json.detail}`);
      return json;
    };
    say(`   API on ${rt.url}`);

    const embedded = rt.core.db.embedded;
    if (!embedded) throw new Error("no embedded PostgreSQL");
    const source = await createSampleSource(embedded.url);
    say(
      `2. sample source: database ${source.database} on ${source.host}:${source.port}, role ${source.username} (password with @:/%#?&=;'"\\ characters)`,
    );

    const cred = await api("POST", "/api/v1/credentials", {
      app: "postgres",
      authType: "basic",
      values: {
        host: source.host,
        port: source.port,
        database: source.database,
        username: source.username,
        password: source.password,
      },
    });
    say(
      `3. POST /api/v1/credentials -> credential GUID ${cred.guid} (the password is now only in the secret store)`,
    );

    const test = await api("POST", `/api/v1/credentials/${cred.guid}/test`);
    say(`4. POST /credentials/{guid}/test -> ok=${test.ok}: ${test.message}`);

    const schemas = await api("POST", `/api/v1/credentials/${cred.guid}/metadata`, { type: "schemas" });
    say(`5. POST /credentials/{guid}/metadata {type: schemas} -> ${JSON.stringify(schemas)}`);

    const wf = await api("POST", "/api/v1/workflows", {
      app: "postgres",
      credential_guid: cred.guid,
      config: { include: [`${source.database}.*`], exclude: [`${source.database}.staging`] },
    });
    say(`6. POST /api/v1/workflows (exclude schema staging) -> workflow_id ${wf.workflow_id}`);

    const started = await api("POST", `/api/v1/workflows/${wf.workflow_id}/runs`);
    say(
      `7. POST /workflows/{id}/runs -> run_id ${started.run_id}; the engine's input is {"workflow_id": "${wf.workflow_id}"}`,
    );
    let run: Record<string, unknown> = {};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      run = await api("GET", `/api/v1/runs/${started.run_id}`);
      if (run.status === "succeeded" || run.status === "failed") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    say(
      `8. run ${run.status}: counts ${JSON.stringify(run.counts)}${run.error ? ` error ${JSON.stringify(run.error)}` : ""}`,
    );
    if (typeof run.output_dir === "string") {
      const files = (await fs.readdir(run.output_dir)).sort();
      say(`   output in ${run.output_dir}: ${files.join(", ")}`);
      const tables = await fs.readFile(path.join(run.output_dir, "tables.jsonl"), "utf8").catch(() => "");
      for (const line of tables.split("\n").filter(Boolean).slice(0, 3)) say(`     ${line}`);
    }
    const audit = await api("GET", `/api/v1/audit?guid=${cred.guid}&order=asc`);
    say("9. audit events for the GUID (values never recorded):");
    for (const e of audit.events as Array<Record<string, unknown>>)
      say(`     #${e.seq} ${e.time} ${e.action} ${e.outcome} by ${e.accessor}`);
    say(`done. Demo token (tenant demo): ${token.slice(0, 8)}... (kept in this process only)`);
    if (run.status !== "succeeded") process.exitCode = 1;
  } finally {
    await rt.close();
  }
}

main().catch((err) => {
  const m = maskError(err);
  process.stderr.write(`demo failed [${m.code}]: ${m.message}\n`);
  process.exit(1);
});
