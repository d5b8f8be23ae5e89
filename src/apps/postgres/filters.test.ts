import { describe, expect, it } from "vitest";
import { compileFilters, parsePattern } from "./filters.js";

describe("postgres app: include/exclude patterns", () => {
  it("parses database.schema patterns with globs and quoted parts", () => {
    expect(parsePattern("sales").wholeDatabase).toBe(true);
    expect(parsePattern("sales.*").wholeDatabase).toBe(true);
    expect(parsePattern("sales.public").wholeDatabase).toBe(false);
    expect(parsePattern('sales."*"').wholeDatabase).toBe(false);
    const q = parsePattern(`"my.db"."we""ird.sch'ema"`);
    expect(q.database.test("my.db")).toBe(true);
    expect(q.database.test("myxdb")).toBe(false);
    expect(q.schema.test(`we"ird.sch'ema`)).toBe(true);
    const g = parsePattern("*.audit_?");
    expect(g.schema.test("audit_1")).toBe(true);
    expect(g.schema.test("audit_12")).toBe(false);
    expect(parsePattern("db.🙂").schema.test("🙂")).toBe(true);
    expect(parsePattern("db.sa(les)+").schema.test("sa(les)+")).toBe(true);
  });

  it("refuses malformed patterns", () => {
    for (const bad of ["", ".x", "db.", 'db."open', "a.b.c", "db..x"])
      expect(() => parsePattern(bad), bad).toThrow();
  });

  it("selects schemas: include (empty = all) minus exclude; databases: whole-database excludes only", () => {
    const all = compileFilters([], []);
    expect(all.databaseSelected("x")).toBe(true);
    expect(all.schemaSelected("x", "y")).toBe(true);
    const f = compileFilters(["sales.*", "hr.p*"], ["*.tmp_*", "hr.private"]);
    expect(f.databaseSelected("sales")).toBe(true);
    expect(f.databaseSelected("other")).toBe(false);
    expect(f.schemaSelected("sales", "public")).toBe(true);
    expect(f.schemaSelected("sales", "tmp_1")).toBe(false);
    expect(f.schemaSelected("hr", "public")).toBe(true);
    expect(f.schemaSelected("hr", "private")).toBe(false);
    expect(f.schemaSelected("hr", "core")).toBe(false);
    const ex = compileFilters([], ["archive", "sales.old"]);
    expect(ex.databaseSelected("archive")).toBe(false);
    expect(ex.databaseSelected("sales")).toBe(true);
    expect(ex.schemaSelected("sales", "old")).toBe(false);
  });
});
