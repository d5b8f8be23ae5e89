/**
 * Test helpers for whole-process tests: a started runtime (API + orchestrator) on a fresh
 * database, logging to a file, and an API client that keeps every response body so a canary
 * sweep can search them.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadConfig } from "../../src/config/env.js";
import { createLogger } from "../../src/log/logger.js";
import { type Runtime, type RuntimeOptions, startRuntime } from "../../src/runtime.js";
import { createTestDatabase } from "./core.js";

/** A started runtime for tests. */
export interface TestRuntime {
  runtime: Runtime;
  api: ApiClient;
  token: string;
  databaseUrl: string;
  dataDir: string;
  logFile: string;
  masterKey: Buffer;
  close(): Promise<void>;
}

/** One recorded HTTP exchange. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  requestBody: string | undefined;
  responseBody: string;
}

/** Minimal JSON client that records every exchange. */
export class ApiClient {
  readonly exchanges: Exchange[] = [];
  constructor(
    readonly baseUrl: string,
    public token: string | undefined,
  ) {}

  /** Sends a request; `body` is JSON-encoded unless it is a string. */
  async request<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers; text: string }> {
    const h: Record<string, string> = { ...headers };
    if (this.token && !("authorization" in h)) h.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const res = await fetch(`${this.baseUrl}${pathname}`, { method, headers: h, body: payload });
    const text = await res.text();
    this.exchanges.push({
      method,
      url: pathname,
      status: res.status,
      requestBody: payload,
      responseBody: text,
    });
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  get = <T = Record<string, unknown>>(p: string, headers?: Record<string, string>) =>
    this.request<T>("GET", p, undefined, headers);
  post = <T = Record<string, unknown>>(p: string, b?: unknown, headers?: Record<string, string>) =>
    this.request<T>("POST", p, b ?? {}, headers);
}

/** Starts a runtime (role `all`) on a fresh database with a preset admin token. */
export async function startTestRuntime(
  opts: RuntimeOptions & { env?: Record<string, string> } = {},
): Promise<TestRuntime> {
  const databaseUrl = await createTestDatabase("e2e");
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "guidvault-e2e-"));
  const logFile = path.join(dataDir, "guidvault.log");
  const masterKey = randomBytes(32);
  const token = `gvt_${randomBytes(24).toString("base64url")}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    GUIDVAULT_MASTER_KEY: masterKey.toString("base64"),
    GUIDVAULT_DATA_DIR: dataDir,
    GUIDVAULT_PORT: "0",
    GUIDVAULT_BOOTSTRAP_TOKEN: token,
    GUIDVAULT_LOG_LEVEL: "debug",
    ...opts.env,
  });
  const logger = createLogger({
    level: "debug",
    destination: pino.destination({ dest: logFile, sync: true }),
  });
  const runtime = await startRuntime(config, {
    retry: { intervalSeconds: 0.05, maxAttempts: 3 },
    ...opts,
    logger,
  });
  const api = new ApiClient(runtime.url as string, token);
  return {
    runtime,
    api,
    token,
    databaseUrl,
    dataDir,
    logFile,
    masterKey,
    close: () => runtime.close(),
  };
}
