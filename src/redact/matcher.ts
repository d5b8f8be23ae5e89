/**
 * Compiles the registered forms into a matcher that finds any of them in a few passes.
 *
 * A flat alternation `a|b|c` of hundreds of literals makes V8 try every alternative at every
 * position; the forms are instead merged into a prefix trie and emitted as nested groups
 * (`ab(?:c|d(?:ef)?)`), so a position with no plausible first character is rejected at once.
 * Measured on 1 MiB of log text with 50 registered secrets (about 900 forms): about 8 ms per
 * pass, against about 175 ms for the flat alternation. At each position the match is the longest
 * form starting there (greedy optional groups, backtracking to shorter forms), which is the
 * "longest first" rule of a sorted alternation.
 *
 * Size limits. V8 refuses a literal run of more than 32,767 code units ("Regular expression too
 * large", an error whose message holds the whole pattern, i.e. the secrets), and a trie nested a
 * few thousand groups deep makes its RegExp compiler abort the process (an out-of-memory crash no
 * `catch` sees). So only forms of at most {@link MAX_REGEXP_FORM} code units go into a trie
 * (nesting depth is at most that), and each RegExp's source is kept under
 * {@link MAX_SOURCE} characters. Longer forms (private keys, certificates and their encodings)
 * are found through a trie of their first {@link PREFIX} code units and confirmed with
 * `startsWith`. Should a RegExp still fail to compile or run, its forms are replaced with plain
 * `split`/`join` instead; the engine's error, which quotes the pattern, is dropped.
 */

interface TrieNode {
  end: boolean;
  kids: Map<string, TrieNode>;
}

/** Longest form (UTF-16 code units) placed in a RegExp trie; longer ones go by prefix. */
export const MAX_REGEXP_FORM = 1024;

/** Code units of a long form used to find its candidate positions. */
const PREFIX = 64;

/** Forms per RegExp. */
const BATCH = 4000;

/** Upper bound of a RegExp's source, in characters (V8 copes with far more; this keeps compiles cheap). */
const MAX_SOURCE = 512 * 1024;

/** Replaces forms in text. */
export interface FormMatcher {
  /**
   * Returns `text` with every occurrence of every form replaced by `mask`, the longest form first
   * at each position. Never throws.
   */
  replace(text: string, mask: string): string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function newNode(): TrieNode {
  return { end: false, kids: new Map() };
}

function buildTrie(forms: readonly string[]): TrieNode {
  const root = newNode();
  for (const form of forms) {
    let node = root;
    // UTF-16 code units, to match the RegExp's own unit of matching (no `u` flag).
    for (let i = 0; i < form.length; i++) {
      const ch = form.charAt(i);
      let kid = node.kids.get(ch);
      if (kid === undefined) {
        kid = newNode();
        node.kids.set(ch, kid);
      }
      node = kid;
    }
    node.end = true;
  }
  return root;
}

/**
 * Pattern source for the subtree below `node`. Runs of single-child nodes are emitted as one
 * literal by a loop, so recursion depth is the number of branch points on a path, at most the
 * length of the longest form ({@link MAX_REGEXP_FORM}).
 */
function emit(node: TrieNode): string {
  const alts: string[] = [];
  for (const [ch, kid] of node.kids) {
    let literal = escapeRegExp(ch);
    let cur = kid;
    while (!cur.end && cur.kids.size === 1) {
      const [[nextCh, next]] = cur.kids as unknown as [[string, TrieNode]];
      literal += escapeRegExp(nextCh);
      cur = next;
    }
    alts.push(literal + emit(cur));
  }
  if (alts.length === 0) return "";
  const body = alts.length === 1 ? (alts[0] as string) : `(?:${alts.join("|")})`;
  return node.end ? `(?:${body})?` : body;
}

/**
 * Compiles `strings` (each at most {@link MAX_REGEXP_FORM} long) into one global RegExp, forcing
 * V8's lazy compilation with a first run. Returns `undefined` when the engine refuses it.
 */
function tryCompile(strings: readonly string[]): RegExp | undefined {
  try {
    const re = new RegExp(emit(buildTrie(strings)), "g");
    re.test(""); // compiles now; "too large" errors are raised by the first run, not by `new`
    re.lastIndex = 0;
    return re;
  } catch {
    return undefined; // the message quotes the pattern, i.e. the secrets: never rethrown
  }
}

/** Replaces each form in turn (longest first) by plain substring search; no RegExp. */
function replaceLiterally(text: string, forms: readonly string[], mask: string): string {
  let out = text;
  for (const form of forms) {
    if (form.length <= out.length && out.includes(form)) out = out.split(form).join(mask);
  }
  return out;
}

/** Cuts `forms` (sorted by decreasing length) into batches of bounded count and source size. */
function batches(forms: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const form of forms) {
    const cost = 2 * form.length + 8; // escaped literal plus group syntax, an upper bound
    if (cur.length > 0 && (cur.length >= BATCH || size + cost > MAX_SOURCE)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(form);
    size += cost;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** One RegExp over short forms; `re` is dropped (plain search used) once it failed. */
interface ShortPass {
  re: RegExp | undefined;
  forms: string[];
}

/** One RegExp over the prefixes of long forms, each candidate confirmed with `startsWith`. */
interface LongPass {
  re: RegExp | undefined;
  /** Prefix -> forms starting with it, longest first. */
  byPrefix: Map<string, string[]>;
  forms: string[];
}

function replaceShort(text: string, pass: ShortPass, mask: string): string {
  if (pass.re !== undefined) {
    try {
      return text.replace(pass.re, () => mask);
    } catch {
      pass.re = undefined; // e.g. a backtracking stack overflow; never seen, never rethrown
    }
  }
  return replaceLiterally(text, pass.forms, mask);
}

function replaceLong(text: string, pass: LongPass, mask: string): string {
  const re = pass.re;
  if (re !== undefined) {
    try {
      let out = "";
      let last = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const at = m.index;
        const form = pass.byPrefix.get(m[0])?.find((f) => text.startsWith(f, at));
        if (form === undefined) {
          re.lastIndex = at + 1;
          continue;
        }
        out += text.slice(last, at) + mask;
        last = at + form.length;
        re.lastIndex = last;
      }
      return last === 0 ? text : out + text.slice(last);
    } catch {
      pass.re = undefined;
    }
  }
  return replaceLiterally(text, pass.forms, mask);
}

/**
 * Compiles `forms` into a matcher that replaces every form, longest form first at each position.
 * Forms longer than {@link MAX_REGEXP_FORM} are replaced first (they are longer than any other),
 * then the RegExp batches, cut from the forms sorted by decreasing length, are applied in order,
 * so a longer form is always replaced before any shorter one. Never throws, whatever the sizes.
 */
export function compileMatcher(forms: Iterable<string>): FormMatcher {
  const sorted = [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  const long = sorted.filter((f) => f.length > MAX_REGEXP_FORM);
  const short = sorted.filter((f) => f.length <= MAX_REGEXP_FORM);

  const longPasses: LongPass[] = [];
  const byPrefix = new Map<string, string[]>();
  for (const form of long) {
    const p = form.slice(0, PREFIX);
    const list = byPrefix.get(p);
    if (list === undefined) byPrefix.set(p, [form]);
    else list.push(form); // `long` is sorted, so each list stays longest first
  }
  for (const prefixes of batches([...byPrefix.keys()])) {
    const sub = new Map(prefixes.map((p) => [p, byPrefix.get(p) as string[]]));
    longPasses.push({ re: tryCompile(prefixes), byPrefix: sub, forms: [...sub.values()].flat() });
  }
  const shortPasses: ShortPass[] = batches(short).map((b) => ({ re: tryCompile(b), forms: b }));

  return {
    replace(text, mask) {
      let out = text;
      for (const pass of longPasses) out = replaceLong(out, pass, mask);
      for (const pass of shortPasses) out = replaceShort(out, pass, mask);
      return out;
    },
  };
}
