/**
 * Include/exclude filters of the `postgres` app. A pattern names a database and a schema:
 *
 *   sales.public        schema public of database sales
 *   sales.*   or sales  every schema of database sales
 *   *.audit_?           schemas audit_ plus one character, in every database
 *   "my.db"."we""ird"   quoted parts: dots, `*`, `?` and `""` (a quote) taken literally
 *
 * `*` matches any run of characters, `?` one character; matching is case-sensitive, like
 * PostgreSQL identifiers. A schema is extracted when `include` is empty or one include pattern
 * matches it, and no exclude pattern matches it. A database is visited when `include` is empty or
 * one include pattern's database part matches it, and no exclude pattern of the form `db.*`
 * (whole database) matches it.
 */

/** A parsed pattern. */
export interface Pattern {
  raw: string;
  database: RegExp;
  schema: RegExp;
  /** True when the schema part is a bare `*` (the pattern covers whole databases). */
  wholeDatabase: boolean;
}

interface Part {
  re: RegExp;
  star: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Reads one part (quoted or not) from `start`; returns it and the position after it. */
function readPart(text: string, start: number): { part: Part; end: number } {
  let re = "";
  let i = start;
  let len = 0;
  while (i < text.length && text[i] !== ".") {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new Error("unterminated quoted name");
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            re += '"';
            j += 2;
            continue;
          }
          break;
        }
        re += escapeRe(text[j] as string);
        j++;
      }
      len += j - i + 1;
      i = j + 1;
      continue;
    }
    if (ch === "*") re += "[\\s\\S]*";
    else if (ch === "?") re += "[\\s\\S]";
    else re += escapeRe(ch);
    len++;
    i++;
  }
  if (len === 0) throw new Error("empty name");
  return { part: { re: new RegExp(`^${re}$`, "u"), star: text.slice(start, i) === "*" }, end: i };
}

/**
 * Parses one pattern.
 * @throws Error naming what is wrong (empty part, unterminated quote, too many dots)
 */
export function parsePattern(raw: string): Pattern {
  const db = readPart(raw, 0);
  if (db.end >= raw.length) return { raw, database: db.part.re, schema: /^[\s\S]*$/u, wholeDatabase: true };
  const schema = readPart(raw, db.end + 1);
  if (schema.end < raw.length)
    throw new Error("too many parts: use database.schema (quote names that contain dots)");
  return { raw, database: db.part.re, schema: schema.part.re, wholeDatabase: schema.part.star };
}

/** Compiled filters. */
export interface Filters {
  databaseSelected(database: string): boolean;
  schemaSelected(database: string, schema: string): boolean;
}

/** Compiles include/exclude pattern lists (already validated by the config schema). */
export function compileFilters(include: readonly string[], exclude: readonly string[]): Filters {
  const inc = include.map(parsePattern);
  const exc = exclude.map(parsePattern);
  return {
    databaseSelected: (d) =>
      (inc.length === 0 || inc.some((p) => p.database.test(d))) &&
      !exc.some((p) => p.wholeDatabase && p.database.test(d)),
    schemaSelected: (d, s) =>
      (inc.length === 0 || inc.some((p) => p.database.test(d) && p.schema.test(s))) &&
      !exc.some((p) => p.database.test(d) && p.schema.test(s)),
  };
}
