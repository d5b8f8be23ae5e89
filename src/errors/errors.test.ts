import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, GuidvaultError } from "./index.js";

describe("error codes", () => {
  const doc = fs.readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

  it.each(Object.entries(ERROR_CODES))(
    "%s is documented in docs/errors.md with its HTTP status",
    (code, info) => {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${code}\``));
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
      expect(row).toContain(`| ${info.status} |`);
      expect(row).toContain(info.retryable ? "| yes |" : "| no |");
    },
  );

  it("carries code, status and cause", () => {
    const cause = new Error("inner");
    const e = new GuidvaultError("STORE_UNAVAILABLE", "down", { cause });
    expect([e.code, e.status, e.retryable, e.cause]).toEqual(["STORE_UNAVAILABLE", 503, true, cause]);
  });
});
