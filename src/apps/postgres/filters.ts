/**
 * Include/exclude filters of the `postgres` app. A pattern names a database and a schema:
 *
 *   sales.public        schema public of database sales
 *   sales.*   or sales  every schema of database sales
 *   *.audit_?           schemas audit_ plus one character, in every database
 *   "my.db"."we""ird"   quoted parts: dots, `*`, `?` and `""` (a quote) taken literally
 *
 * `*` matches any run of characters, `?` one character (a Unicode code point); matching is
 * case-sensitive, like PostgreSQL identifiers. A schema is extracted when `include` is empty or
 * one include pattern matches it, and no exclude pattern matches it. A database is visited when
 * `include` is empty or one include pattern's database part matches it, and no exclude pattern of
 * the form `db.*` (whole database) matches it.
 *
 * Patterns are matched by a glob matcher written out here, not by a RegExp: a backtracking
 * RegExp of `*a*a*a...*ax` takes exponential time on a 63-character name and froze the whole
 * process. The matcher below is the iterative two-pointer match that backtracks only to the last
 * `*`, so a test costs at most O(name length × pattern length).
 */

/** One element of a parsed part: a code point taken literally, `?` or `*`. */
type Token = { kind: "char"; ch: string } | { kind: "one" } | { kind: "run" };

/** A compiled part of a pattern; `test` tells whether a whole name matches it. */
export interface NameMatcher {
  /** True when all of `name` matches the part (anchored at both ends, case-sensitive). */
  test(name: string): boolean;
}

/** A parsed pattern. */
export interface Pattern {
  raw: string;
  database: NameMatcher;
  schema: NameMatcher;
  /** True when the schema part is a bare `*` (the pattern covers whole databases). */
  wholeDatabase: boolean;
  /** Number of unquoted `*` and `?` in the pattern (the config allows {@link MAX_WILDCARDS}). */
  wildcards: number;
}

/** Most wildcards (`*` and `?`, unquoted) a pattern of a workflow config may hold. */
export const MAX_WILDCARDS = 16;

/**
 * True when the code points `name` match `tokens` entirely. Advances through both; on a mismatch
 * after a `*`, gives that `*` one more character and resumes right after it. Earlier `*`s never
 * need revisiting (the last one can absorb anything they could), hence O(n × m) at worst.
 */
function globMatch(tokens: readonly Token[], name: readonly string[]): boolean {
  let t = 0;
  let n = 0;
  let star = -1; // index of the last `*` seen
  let starAt = 0; // position in `name` that `*` has absorbed up to
  while (n < name.length) {
    const tok = tokens[t];
    if (tok?.kind === "run") {
      star = t++;
      starAt = n;
    } else if (tok !== undefined && (tok.kind === "one" || tok.ch === name[n])) {
      t++;
      n++;
    } else if (star >= 0) {
      t = star + 1;
      n = ++starAt;
    } else return false;
  }
  while (tokens[t]?.kind === "run") t++;
  return t === tokens.length;
}

function matcherOf(tokens: readonly Token[]): NameMatcher {
  if (tokens.every((tok) => tok.kind === "char")) {
    const literal = tokens.map((tok) => (tok as { ch: string }).ch).join("");
    return { test: (name) => name === literal };
  }
  return { test: (name) => globMatch(tokens, Array.from(name)) };
}

/** Reads one part (quoted or not) from `start`; returns its tokens and the position after it. */
function readPart(text: string, start: number): { tokens: Token[]; star: boolean; end: number } {
  const tokens: Token[] = [];
  const chars = (s: string) => {
    for (const ch of s) tokens.push({ kind: "char", ch });
  };
  let i = start;
  let len = 0;
  while (i < text.length && text[i] !== ".") {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      let quoted = "";
      for (;;) {
        if (j >= text.length) throw new Error("unterminated quoted name");
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            quoted += '"';
            j += 2;
            continue;
          }
          break;
        }
        quoted += text[j];
        j++;
      }
      chars(quoted);
      len += j - i + 1;
      i = j + 1;
      continue;
    }
    // Unquoted text runs to the next quote, dot or wildcard; taken by code points.
    let k = i;
    while (k < text.length && !'".*?'.includes(text[k] as string)) k++;
    if (k > i) {
      chars(text.slice(i, k));
      len += k - i;
      i = k;
      continue;
    }
    tokens.push(ch === "*" ? { kind: "run" } : { kind: "one" });
    len++;
    i++;
  }
  if (len === 0) throw new Error("empty name");
  return { tokens, star: text.slice(start, i) === "*", end: i };
}

const countWildcards = (tokens: readonly Token[]) => tokens.filter((t) => t.kind !== "char").length;

/**
 * Parses one pattern.
 * @throws Error naming what is wrong (empty part, unterminated quote, too many dots)
 */
export function parsePattern(raw: string): Pattern {
  const db = readPart(raw, 0);
  const database = matcherOf(db.tokens);
  if (db.end >= raw.length) {
    return {
      raw,
      database,
      schema: matcherOf([{ kind: "run" }]),
      wholeDatabase: true,
      wildcards: countWildcards(db.tokens),
    };
  }
  const schema = readPart(raw, db.end + 1);
  if (schema.end < raw.length)
    throw new Error("too many parts: use database.schema (quote names that contain dots)");
  return {
    raw,
    database,
    schema: matcherOf(schema.tokens),
    wholeDatabase: schema.star,
    wildcards: countWildcards(db.tokens) + countWildcards(schema.tokens),
  };
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
