import { afterEach, describe, expect, it } from "vitest";
import { newCanary, sweepBuffers } from "../../test/helpers/canary.js";
import { isGuidvaultError } from "../errors/index.js";
import { MASK, masker } from "../redact/index.js";
import { createLogger, type Logger } from "./logger.js";

/** A logger writing to memory, and its lines parsed. */
function memoryLogger(level?: string): {
  log: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const releases: Array<() => void> = [];
afterEach(() => {
  for (const release of releases.splice(0)) release();
});

function registered(value: string): string {
  releases.push(masker.register(value));
  return value;
}

const sweep = (lines: string[], secrets: string[]) =>
  sweepBuffers(
    lines.map((data, i) => ({ where: `line ${i}`, data })),
    secrets,
  );

describe("createLogger", () => {
  it("case 007: a registered canary appears in no form in any line, and the rest of each line is intact", () => {
    const canary = registered(newCanary("logger"));
    const { log, lines, records } = memoryLogger();
    log.info(`connecting to test-db as app_user with ${canary}`);
    log.info("format arg %s and %j", canary, { nested: canary });
    log.info(
      { dsnHint: `host=test-db user=app_user ${canary}`, body: JSON.stringify({ pw: canary }) },
      "fields",
    );
    log.info({ url: `https://api.example/cb?pw=${encodeURIComponent(canary)}&x=1` }, "url");
    log.info({ header: `Basic ${Buffer.from(`user:${canary}`).toString("base64")}` }, "header");
    log.info(
      { hex: Buffer.from(canary).toString("hex"), b64: Buffer.from(`x${canary}`).toString("base64url") },
      "bin",
    );
    log.error(
      new Error(`failed with ${canary}`, { cause: new AggregateError([new Error(canary)], "inner") }),
    );
    log.child({ session: canary }).warn({ deep: [{ deeper: { v: canary } }] }, "child");

    expect(lines).toHaveLength(8);
    expect(sweep(lines, [canary])).toEqual([]);
    const r = records();
    expect(r[0]?.msg).toBe(`connecting to test-db as app_user with ${MASK}`);
    expect(r[1]?.msg).toBe(`format arg ${MASK} and {"nested":"${MASK}"}`);
    expect(r[2]?.dsnHint).toBe(`host=test-db user=app_user ${MASK}`);
    expect(r[2]?.body).toBe(`{"pw":"${MASK}"}`);
    expect(r[3]?.url).toBe(`https://api.example/cb?pw=${MASK}&x=1`);
    expect(r[6]).toMatchObject({
      level: 50,
      msg: `failed with ${MASK}`,
      err: { type: "Error", message: `failed with ${MASK}` },
    });
    expect(r[6]?.err).toMatchObject({ cause: { type: "AggregateError", errors: [{ message: MASK }] } });
    expect(r[7]).toMatchObject({ session: MASK, deep: [{ deeper: { v: MASK } }], msg: "child" });
    for (const record of r) expect(typeof record.time).toBe("string");
  });

  it("masks the final line too, catching what a later serializer adds after key-based redaction", () => {
    const canary = registered(newCanary("final-line"));
    const { log, lines } = memoryLogger();
    const child = log.child(
      {},
      { serializers: { extra: () => ({ text: canary, json: JSON.stringify([canary]) }) } },
    );
    child.info({ extra: 1 }, "serialized late");
    expect(lines).toHaveLength(1);
    expect(sweep(lines, [canary])).toEqual([]);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ extra: { text: MASK, json: `["${MASK}"]` } });
  });

  it("case 008: short secrets are removed by key while `value` and `test-db` stay readable", () => {
    registered("test");
    registered("");
    const { log, records } = memoryLogger();
    log.info({ password: "test", host: "test-db", note: "value" }, "connect test-db");
    expect(records()[0]).toMatchObject({
      password: MASK,
      host: "test-db",
      note: "value",
      msg: "connect test-db",
    });
  });

  it("case 002: a driver error keeps host, port and reason but not the password", () => {
    const { log, lines, records } = memoryLogger();
    const err = Object.assign(
      new Error(
        "connect ECONNREFUSED for postgresql://app_user:S3cret-Value@db.internal:5432/sales (host=db.internal password=S3cret-Value port=5432)",
      ),
      { code: "ECONNREFUSED" },
    );
    log.error({ err }, "extraction failed");
    expect(lines.join("")).not.toContain("S3cret-Value");
    const e = records()[0]?.err as Record<string, unknown>;
    expect(e.code).toBe("ECONNREFUSED");
    expect(e.message).toBe(
      `connect ECONNREFUSED for postgresql://app_user:${MASK}@db.internal:5432/sales (host=db.internal password=${MASK} port=5432)`,
    );
  });

  it("case 010: a logged request never shows the bearer token or cookie, raw or base64", () => {
    const token = "gvt_live_9a8b7c6d5e4f3a2b1c0d";
    const { log, lines, records } = memoryLogger();
    const req = {
      id: "req-1",
      method: "POST",
      url: "/v1/credentials",
      headers: { authorization: `Bearer ${token}`, cookie: `gv_session=${token}`, "user-agent": "curl/8" },
      rawHeaders: ["Authorization", `Bearer ${token}`],
      body: { password: "never-logged-body" },
      socket: { remoteAddress: "10.0.0.1", remotePort: 5555 },
    };
    log.info({ req }, "incoming request");
    log.warn({ req, err: new Error("invalid token") }, "request failed");
    log.info(`rejected Authorization: Bearer ${token}`);
    log.info(
      { meta: { rawHeaders: ["authorization", `Basic ${Buffer.from(`u:${token}`).toString("base64")}`] } },
      "x",
    );
    expect(sweep(lines, [token, "never-logged-body"])).toEqual([]);
    expect(records()[0]?.req).toEqual({
      id: "req-1",
      method: "POST",
      url: "/v1/credentials",
      remoteAddress: "10.0.0.1",
      remotePort: 5555,
      headers: { authorization: MASK, cookie: MASK, "user-agent": "curl/8" },
    });
  });

  it("respects the level and rejects an unknown one", () => {
    const { log, lines } = memoryLogger("warn");
    log.info("hidden");
    log.warn("shown");
    expect(lines).toHaveLength(1);
    let thrown: unknown;
    try {
      createLogger({ level: "loud" });
    } catch (err) {
      thrown = err;
    }
    expect(isGuidvaultError(thrown, "CONFIG_INVALID")).toBe(true);
  });
});
