import { describe, expect, it } from "vitest";
import { GuidvaultError } from "../errors/index.js";
import { checkJsonInput } from "./index.js";

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => void): GuidvaultError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GuidvaultError);
    return err as GuidvaultError;
  }
  throw new Error("expected a GuidvaultError");
}

/** `{ a: { a: ... { a: leaf } } }`, `levels` objects deep. */
function nestedObject(levels: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe("checkJsonInput", () => {
  it("accepts ordinary credential values, up to the depth limit, and valid surrogate pairs", () => {
    checkJsonInput({ host: "db", port: 5432, extra: { sslmode: "require", tags: ["a", null, true] } }, "x");
    checkJsonInput(nestedObject(16), "x");
    checkJsonInput(nestedObject(4), "x", { maxDepth: 4 });
    checkJsonInput({ password: "p🙂ss-wörd", "k🙂": "v" }, "x");
    checkJsonInput("plain", "x");
    checkJsonInput(null, "x");
    const shared = { s: "ok" };
    checkJsonInput({ a: shared, b: [shared, shared] }, "x");
  });

  it("refuses nesting deeper than maxDepth, iteratively (no stack overflow at 5000 or 200000)", () => {
    expect(thrown(() => checkJsonInput(nestedObject(17), "credential values")).message).toBe(
      "credential values: nested more than 16 levels deep (objects and arrays inside each other); flatten it",
    );
    expect(thrown(() => checkJsonInput(nestedObject(5), "x", { maxDepth: 4 })).code).toBe(
      "CREDENTIAL_INVALID",
    );
    expect(thrown(() => checkJsonInput({ extra: nestedObject(5000) }, "x")).code).toBe("CREDENTIAL_INVALID");
    const deepArray = JSON.parse(`{"password":${"[".repeat(200_000)}${"]".repeat(200_000)}}`);
    expect(thrown(() => checkJsonInput(deepArray, "x")).message).toMatch(/^x: nested more than 16 levels/);
    const cycle: Record<string, unknown> = { name: "c" };
    cycle.self = cycle;
    expect(thrown(() => checkJsonInput(cycle, "x")).code).toBe("CREDENTIAL_INVALID");
  });

  it("refuses U+0000 and unpaired surrogates in strings and keys, never quoting the value", () => {
    const secret = "S3cret-Value-never-echoed";
    const cases: Array<[unknown, RegExp]> = [
      [{ username: `etl\u0000${secret}` }, /^v: a string contains the character U\+0000 \(NUL\)/],
      [{ [`k\u0000${secret}`]: "v" }, /^v: an object key contains the character U\+0000/],
      [{ password: `${secret}\uD800` }, /^v: a string contains an unpaired UTF-16 surrogate/],
      [{ password: `\uDC00${secret}` }, /^v: a string contains an unpaired UTF-16 surrogate/],
      [{ password: `${secret}\uDE00\uD83D` }, /^v: a string contains an unpaired UTF-16 surrogate/],
      [{ extra: { list: [1, [`${secret}\u0000`]] } }, /U\+0000/],
      [{ [`${secret}\uD83D`]: 1 }, /^v: an object key contains an unpaired UTF-16 surrogate/],
    ];
    for (const [value, message] of cases) {
      const err = thrown(() => checkJsonInput(value, "v"));
      expect(err.code).toBe("CREDENTIAL_INVALID");
      expect(err.status).toBe(422);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(secret);
    }
  });
});
