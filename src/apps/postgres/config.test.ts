import { describe, expect, it } from "vitest";
import { parsePostgresConfig } from "./config.js";

describe("postgres app: workflow config", () => {
  it("accepts up to 16 wildcards per pattern and refuses more, naming the limit", () => {
    const sixteen = `sales.${"a*".repeat(8)}${"?".repeat(8)}`;
    expect(parsePostgresConfig({ include: [sixteen] }).include).toEqual([sixteen]);
    expect(parsePostgresConfig({ exclude: [`"${"*".repeat(40)}".x`] }).exclude).toHaveLength(1);
    for (const field of ["include", "exclude"]) {
      let err: unknown;
      try {
        parsePostgresConfig({ [field]: [`sales.${"*a".repeat(30)}*ax`] });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: "CONFIG_INVALID" });
      expect((err as Error).message).toContain(`${field}[0]`);
      expect((err as Error).message).toMatch(/31 wildcards.*at most 16/);
    }
  });
});
