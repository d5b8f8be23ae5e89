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

describe("postgres app: patterns match in linear time (ReDoS)", () => {
  const hostile = `sales.${"*a".repeat(30)}*ax`;
  const name63 = "a".repeat(63);

  it("a pattern of many `*a` against a 63-character schema name completes with the right answer", () => {
    const p = parsePattern(hostile);
    expect(p.database.test("sales")).toBe(true);
    expect(p.schema.test(name63)).toBe(false);
    expect(p.schema.test(`${"a".repeat(61)}ax`)).toBe(true);
    const f = compileFilters([hostile], [hostile]);
    expect(f.schemaSelected("sales", name63)).toBe(false);
    expect(f.databaseSelected("sales")).toBe(true);
    expect(compileFilters([], [`*.${"*?".repeat(40)}b`]).schemaSelected("sales", name63)).toBe(true);
  });

  it("keeps the glob semantics: anchors, code points, case, quoted wildcards, backtracking", () => {
    const s = (pattern: string, name: string) => parsePattern(`db.${pattern}`).schema.test(name);
    expect(s("a*b", "ab")).toBe(true);
    expect(s("a*b", "axxbxb")).toBe(true);
    expect(s("a*b", "axxbx")).toBe(false);
    expect(s("*ab*ab", "abab")).toBe(true);
    expect(s("*ab*ab", "aabxab")).toBe(true);
    expect(s("a?c", "abc")).toBe(true);
    expect(s("a?c", "ac")).toBe(false);
    expect(s("?", "🙂")).toBe(true);
    expect(s("??", "🙂")).toBe(false);
    expect(s("Sales", "sales")).toBe(false);
    expect(s("public", "public_x")).toBe(false);
    expect(s("public", "x_public")).toBe(false);
    expect(s('"a*"', "a*")).toBe(true);
    expect(s('"a*"', "ab")).toBe(false);
    expect(s('"?"', "x")).toBe(false);
    expect(s('x"*"*', "x*yz")).toBe(true);
    expect(s("***", "")).toBe(true);
    expect(s("*", "line\nbreak")).toBe(true);
    expect(parsePattern("sales").schema.test("anything at all")).toBe(true);
  });

  it("counts the unquoted wildcards of a pattern", () => {
    expect(parsePattern("sales").wildcards).toBe(0);
    expect(parsePattern("*.audit_?").wildcards).toBe(2);
    expect(parsePattern('"*?"."x*"').wildcards).toBe(0);
    expect(parsePattern(hostile).wildcards).toBe(31);
  });
});
