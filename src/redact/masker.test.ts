import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canaryForms, newCanary, sweepBuffers } from "../../test/helpers/canary.js";
import {
  createMasker,
  isSecretKey,
  isWeakSecret,
  MASK,
  MIN_MASK_LENGTH,
  maskError,
  masker,
  scrubError,
} from "./index.js";

/** Text forms a string can leak in (UTF-16LE bytes never occur inside a JS string log line). */
const textForms = (value: string) => canaryForms(value).filter((f) => f.form !== "utf16le");

describe("case 007 (secret in escaped forms): every encoding of a registered value is masked", () => {
  const pw = 'pa"ss\\wörd';
  const m = createMasker();
  m.register(pw);

  it.each([
    ["raw", `login with ${pw} failed`],
    ["JSON-escaped, non-ASCII as \\u00f6", 'login with pa\\"ss\\\\w\\u00f6rd failed'],
    ["JSON-escaped, non-ASCII as \\u00F6", 'login with pa\\"ss\\\\w\\u00F6rd failed'],
    ["JSON-escaped, non-ASCII raw", 'login with pa\\"ss\\\\wörd failed'],
    ["JSON inside a JSON string", JSON.stringify({ body: JSON.stringify({ pw }) })],
    ["percent-encoded in a URL query", `GET https://api.example/x?user=bob&pw=${encodeURIComponent(pw)}&v=1`],
    ["form-encoded", `body ${new URLSearchParams({ user: "bob", pw }).toString()}`],
    ["lower-case percent hex", `q=${encodeURIComponent(pw).toLowerCase()} end`],
    ["base64 of a basic-auth header", `Authorization: Basic ${Buffer.from(`user:${pw}`).toString("base64")}`],
    [
      "base64 of user:password with no header name",
      `creds ${Buffer.from(`user:${pw}`).toString("base64")} end`,
    ],
    ["base64 on its own", `value ${Buffer.from(pw).toString("base64")} end`],
    ["url-safe base64 at offset 1", `t=${Buffer.from(`x${pw}yz`).toString("base64url")}`],
    ["hex", `bytes ${Buffer.from(pw).toString("hex")} / ${Buffer.from(pw).toString("hex").toUpperCase()}`],
  ])("%s", (_form, text) => {
    const out = m.mask(text);
    expect(out).toContain(MASK);
    expect(sweepBuffers([{ where: "out", data: out }], [pw])).toEqual([]);
  });

  it("keeps the text around the secret", () => {
    expect(m.mask(`login with ${pw} failed`)).toBe(`login with ${MASK} failed`);
    expect(m.mask(`pw=${encodeURIComponent(pw)}&v=1`)).toBe(`pw=${MASK}&v=1`);
  });

  it("masks every form the independent canary helper knows, planted in ordinary text", () => {
    const canary = newCanary("masker");
    const release = m.register(canary);
    for (const { form, needle } of textForms(canary)) {
      const out = m.mask(`prefix ${needle.toString("utf8")} suffix`);
      expect(sweepBuffers([{ where: form, data: out }], [canary]), form).toEqual([]);
      expect(out, form).toMatch(/^prefix .*suffix$/);
    }
    release();
  });

  it("masks the longest form first, so no tail of a longer value stays visible", () => {
    const m2 = createMasker();
    m2.register("S3cret-Value");
    m2.register("S3cret-Value-2024");
    expect(m2.mask("a S3cret-Value-2024 b S3cret-Value c")).toBe(`a ${MASK} b ${MASK} c`);
  });
});

describe("case 008 (empty and short secrets)", () => {
  it("never registers the empty string, and a log line keeps every character", () => {
    const mk = createMasker();
    const release = mk.register("");
    expect(mk.registeredCount()).toBe(0);
    const line = "value of test-db: every character stays";
    expect(mk.mask(line)).toBe(line);
    release();
  });

  it("does not substring-mask `a` or `test`: `value` and `test-db` stay readable", () => {
    const mk = createMasker();
    mk.register("a");
    mk.register("test");
    expect(mk.registeredCount()).toBe(0);
    expect(mk.mask("value on host test-db")).toBe("value on host test-db");
    expect(mk.maskDeep({ note: "test", host: "test-db" })).toEqual({ note: "test", host: "test-db" });
  });

  it("still removes a short secret by key", () => {
    const mk = createMasker();
    expect(mk.maskDeep({ password: "test", host: "test-db", port: 5432 })).toEqual({
      password: MASK,
      host: "test-db",
      port: 5432,
    });
    expect(mk.maskDeep({ password: "" })).toEqual({ password: MASK });
  });

  it("flags weak secrets so the caller can warn, counting code points", () => {
    expect(MIN_MASK_LENGTH).toBe(8);
    expect(isWeakSecret("")).toBe(true);
    expect(isWeakSecret("a")).toBe(true);
    expect(isWeakSecret("test")).toBe(true);
    expect(isWeakSecret("ééééééé")).toBe(true); // 7 code points
    expect(isWeakSecret("😀😀😀😀")).toBe(true); // 8 UTF-16 units, 4 code points
    expect(isWeakSecret("12345678")).toBe(false);
    expect(isWeakSecret("S3cret-Value")).toBe(false);
  });
});

describe("case 002 (driver error echoes the connection string), even when the password was never registered", () => {
  const m = createMasker();
  const message =
    'connection to postgresql://app_user:S3cret-Value@db.internal:5432/sales failed: ECONNREFUSED; conninfo "host=db.internal port=5432 password=S3cret-Value dbname=sales"';

  it("masks the password and keeps scheme, user, host, port, database and reason", () => {
    const out = m.mask(message);
    expect(out).not.toContain("S3cret-Value");
    expect(out).toBe(
      `connection to postgresql://app_user:${MASK}@db.internal:5432/sales failed: ECONNREFUSED; conninfo "host=db.internal port=5432 password=${MASK} dbname=sales"`,
    );
  });

  it.each([
    [
      "quoted libpq value",
      "host=h password='S3cret Value\\'x' dbname=d",
      `host=h password='${MASK}' dbname=d`,
    ],
    ["double-quoted value", 'password="S3cret-Value" ok', `password="${MASK}" ok`],
    ["environment style", "PGPASSWORD=S3cret-Value psql -h db", `PGPASSWORD=${MASK} psql -h db`],
    ["redis URL without user", "redis://:S3cret-Value@cache:6379/0", `redis://:${MASK}@cache:6379/0`],
    ["query token", "GET /cb?code=1&access_token=abc.def&x=2", `GET /cb?code=1&access_token=${MASK}&x=2`],
    [
      "JSON body in a message",
      'rejected {"client_secret":"abc", "id":"x"}',
      `rejected {"client_secret":"${MASK}", "id":"x"}`,
    ],
    [
      "URL without credentials",
      "https://db.internal:5432/sales?sslmode=require",
      "https://db.internal:5432/sales?sslmode=require",
    ],
  ])("%s", (_name, text, expected) => {
    expect(m.mask(text)).toBe(expected);
  });

  it("maskError keeps the driver's code and masks message and stack", () => {
    const err = Object.assign(new Error(message), { code: "ECONNREFUSED" });
    const out = maskError(err, m);
    expect(out.code).toBe("ECONNREFUSED");
    expect(out.message).toContain("db.internal:5432");
    expect(JSON.stringify(out)).not.toContain("S3cret-Value");
    expect(out.stack).toMatch(/^Error: connection to postgresql:\/\/app_user:\[MASKED\]@db\.internal/);
    expect(maskError("plain S3cret password=S3cret-Value", m)).toEqual({
      code: "INTERNAL",
      message: `plain S3cret password=${MASK}`,
    });
  });
});

describe("case 010 (tokens in request headers)", () => {
  const m = createMasker();
  const token = "gvt_4f9c2a7e1b0d3c5a9e8f7d6c";

  it("masks Authorization and Cookie by key, at any depth, and in raw header pairs", () => {
    const req = {
      method: "GET",
      headers: { Authorization: `Bearer ${token}`, cookie: `sid=${token}`, "x-api-key": token, host: "h" },
      rawHeaders: ["Host", "h", "Authorization", `Bearer ${token}`, "Cookie", `sid=${token}`],
      nested: [{ deeper: new Map([["set-cookie", `a=${token}`]]) }],
    };
    const out = m.maskDeep(req);
    expect(sweepBuffers([{ where: "json", data: JSON.stringify(out) }], [token])).toEqual([]);
    expect(out.headers.host).toBe("h");
    expect(out.rawHeaders).toEqual(["Host", "h", "Authorization", MASK, "Cookie", MASK]);
  });

  it("masks a bearer token or authorization header quoted in free text", () => {
    expect(m.mask(`rejected Authorization: Bearer ${token} (expired)`)).toBe(
      `rejected Authorization: Bearer ${MASK} (expired)`,
    );
    expect(m.mask(`curl -H "authorization: Basic dXNlcjpwYXNz" url`)).toBe(
      `curl -H "authorization: Basic ${MASK}" url`,
    );
    expect(m.mask(`Cookie: sid=${token}; theme=dark\nnext`)).toBe(`Cookie: ${MASK}\nnext`);
  });
});

describe("register / release", () => {
  it("is reference-counted and release is idempotent", () => {
    const m = createMasker();
    const v = "S3cret-Value-refcount";
    const r1 = m.register(v);
    const r2 = m.register(v);
    expect(m.registeredCount()).toBe(1);
    r1();
    r1();
    expect(m.mask(v)).toBe(MASK);
    r2();
    expect(m.registeredCount()).toBe(0);
    expect(m.mask(v)).toBe(v);
  });

  it("replaces every value with the same fixed mask, whatever its length (case 012)", () => {
    const m = createMasker();
    m.register("short-ish");
    m.register("a-much-longer-secret-value-with-é");
    expect(m.mask("x short-ish y a-much-longer-secret-value-with-é z")).toBe(`x ${MASK} y ${MASK} z`);
  });
});

describe("isSecretKey", () => {
  it.each([
    "password",
    "DB_PASSWORD",
    "passwd",
    "clientSecret",
    "access_token",
    "private-key",
    "passphrase",
    "x-api-key",
    "Authorization",
    "Proxy-Authorization",
    "set-cookie",
  ])("%s is secret", (key) => expect(isSecretKey(key)).toBe(true));
  it.each(["host", "port", "username", "guid", "credential_guid", "authType"])("%s is not", (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});

describe("maskDeep", () => {
  const m = createMasker();
  m.register("S3cret-Value-deep");

  it("returns a masked deep copy and leaves the input untouched", () => {
    const input = {
      a: ["x S3cret-Value-deep", { b: "S3cret-Value-deep" }],
      when: new Date(0),
      n: 1,
      ok: true,
    };
    const out = m.maskDeep(input);
    expect(out).toEqual({ a: [`x ${MASK}`, { b: MASK }], when: new Date(0), n: 1, ok: true });
    expect(input.a[0]).toBe("x S3cret-Value-deep");
    expect(out.when).not.toBe(input.when);
  });

  it("masks keys, handles cycles, toJSON and class instances", () => {
    const cyclic: Record<string, unknown> = { "S3cret-Value-deep": 1 };
    cyclic.self = cyclic;
    const out = m.maskDeep(cyclic);
    expect(Object.keys(out)).toEqual([MASK, "self"]);
    expect(out.self).toBe(out);
    class Conn {
      host = "db";
      password = "S3cret-Value-deep";
    }
    expect(m.maskDeep({ c: new Conn() })).toEqual({ c: { host: "db", password: MASK } });
    expect(m.maskDeep({ j: { toJSON: () => "S3cret-Value-deep" } })).toEqual({ j: MASK });
  });

  it("copies errors with their prototype and masks message, stack and cause", () => {
    const err = new TypeError("bad S3cret-Value-deep", { cause: new Error("inner S3cret-Value-deep") });
    const out = m.maskDeep(err);
    expect(out).toBeInstanceOf(TypeError);
    expect(out).not.toBe(err);
    expect(out.message).toBe(`bad ${MASK}`);
    expect(out.stack).not.toContain("S3cret-Value-deep");
    expect((out.cause as Error).message).toBe(`inner ${MASK}`);
    expect(err.message).toBe("bad S3cret-Value-deep");
  });
});

describe("case 009 (error text stored by the workflow engine): scrubError", () => {
  it("rewrites message, stack, the cause chain and AggregateError.errors in place", () => {
    const pw = "Pa55-Canary-009";
    const release = masker.register(pw);
    try {
      const sharedConfig = { host: "db", password: pw, note: `uses ${pw}` };
      const root = new Error("root", { cause: { text: `plain object ${pw}` } });
      const agg = new AggregateError([new Error(`one ${pw}`), `two ${pw}`], `agg ${pw}`, { cause: root });
      const err = Object.assign(
        new Error(`auth failed for postgresql://etl:${pw}@db:5432/x`, { cause: agg }),
        {
          config: sharedConfig,
          detail: `detail ${pw}`,
        },
      );
      scrubError(err);
      const dump = JSON.stringify([
        err.message,
        err.stack,
        err.detail,
        err.config,
        agg.message,
        agg.stack,
        agg.errors,
        (agg.errors[0] as Error).stack,
        root.cause,
      ]);
      expect(dump).not.toContain(pw);
      expect(err.message).toBe(`auth failed for postgresql://etl:${MASK}@db:5432/x`);
      expect(err.cause).toBe(agg);
      expect(err.config).toEqual({ host: "db", password: MASK, note: `uses ${MASK}` });
      // the live config object is not mutated, only replaced on the error
      expect(sharedConfig.password).toBe(pw);
    } finally {
      release();
    }
  });

  it("survives cycles, frozen errors and non-errors", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    Object.defineProperty(a, "cause", { value: b });
    expect(() => scrubError(a)).not.toThrow();
    expect(() => scrubError(Object.freeze(new Error("password=frozen-value")))).not.toThrow();
    expect(() => scrubError("string")).not.toThrow();
    expect(() => scrubError(null)).not.toThrow();
  });
});

describe("long secrets (a private key of tens of KB) never break the masker", () => {
  /** A PEM-like secret of exactly `length` code units, with characters every encoding changes. */
  const longSecret = (label: string, length: number) => {
    let s = `${newCanary(label)}\n`;
    while (s.length < length) s += `${randomBytes(48).toString("base64")}\n`;
    return s.slice(0, length);
  };

  it.each([
    ["30,000 characters", 30_000],
    ["64 KiB", 64 * 1024],
  ])("a %s secret registers and is masked raw, JSON-escaped, base64 and hex", (_size, length) => {
    const m = createMasker();
    const value = longSecret("long", length);
    const release = m.register(value);
    expect(m.registeredCount()).toBe(1);
    const json = JSON.stringify({ private_key: value });
    const lines = [
      ["raw", `loaded key ${value} from stdin`],
      ["JSON-escaped", `request body ${json} sent`],
      ["JSON inside a JSON string", `event ${JSON.stringify({ body: json })}`],
      ["base64", `blob ${Buffer.from(value).toString("base64")} end`],
      ["base64 at offset 1", `auth ${Buffer.from(`u:${value}`).toString("base64")} end`],
      [
        "hex",
        `bytes ${Buffer.from(value).toString("hex")} / ${Buffer.from(value).toString("hex").toUpperCase()}`,
      ],
    ] as const;
    for (const [form, line] of lines) {
      const out = m.mask(line);
      expect(out, form).toContain(MASK);
      expect(out.length, form).toBeLessThan(200);
      expect(sweepBuffers([{ where: form, data: out }], [value]), form).toEqual([]);
    }
    for (const { form, needle } of textForms(value)) {
      const out = m.mask(`prefix ${needle.toString("utf8")} suffix`);
      expect(out, form).toBe(`prefix ${MASK} suffix`);
    }
    release();
    expect(m.mask(`x ${value}`)).toBe(`x ${value}`);
  });

  it("never throws, and never quotes a value in an error, whatever the size", () => {
    const m = createMasker();
    const values = [longSecret("a", 18_000), longSecret("b", 70_000), longSecret("c", 1024 * 1024)];
    const short = "S3cret-Value-short";
    const releases = [...values, short].map((v) => m.register(v));
    const text = `a ${values[0]} b ${JSON.stringify(values[1])} c ${values[2]} d ${short} e`;
    expect(m.mask(text)).toBe(`a ${MASK} b "${MASK}" c ${MASK} d ${MASK} e`);
    expect(maskError(new Error(`failed: ${values[1]}`), m).message).toBe(`failed: ${MASK}`);
    for (const r of releases) r();
    expect(m.registeredCount()).toBe(0);
  });

  it("a short registered value inside a long one leaves no tail of the long one", () => {
    const m = createMasker();
    const value = longSecret("outer", 40_000);
    m.register(value.slice(100, 140));
    m.register(value);
    expect(m.mask(`[${value}]`)).toBe(`[${MASK}]`);
    expect(m.mask(`[${value.slice(100, 140)}]`)).toBe(`[${MASK}]`);
  });
});

describe("performance", () => {
  const big = "2024-01-01T00:00:00Z info extracted table public.orders rows=1234 host test-db\n".repeat(
    13_000,
  );

  it("is fast on a 1 MiB string with nothing registered", () => {
    const m = createMasker();
    const start = performance.now();
    expect(m.mask(big)).toBe(big);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("is fast on a 1 MiB string with 50 registered secrets", () => {
    const m = createMasker();
    for (let i = 0; i < 50; i++) m.register(newCanary(`perf${i}`));
    m.mask("warm up the compiled matcher");
    const start = performance.now();
    expect(m.mask(big)).toBe(big);
    expect(performance.now() - start).toBeLessThan(500);
  });
});
