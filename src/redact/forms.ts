/**
 * The encoded forms in which a secret value can show up in text: JSON-escaped, URL-encoded,
 * base64 (also in the middle of a longer base64 stream) and hex. The masker searches for every
 * form of every registered value; see docs/redaction.md for why each one is here.
 */

/** How a JSON encoder writes characters outside ASCII. */
type NonAscii = "raw" | "lower" | "upper";

/** One JSON encoder's escaping choices. */
interface JsonStyle {
  /** `raw`: UTF-8 as is (JSON.stringify); `lower`/`upper`: `\u00e9` / `\u00E9`. */
  readonly nonAscii: NonAscii;
  /** Escape `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` (Go's encoding/json). */
  readonly html: boolean;
  /** Escape `/` as `\/` (PHP's json_encode). */
  readonly slash: boolean;
}

/** Encoders seen in practice: JSON.stringify, Python json.dumps (both cases), Go, PHP. */
const JSON_STYLES: readonly JsonStyle[] = [
  { nonAscii: "raw", html: false, slash: false },
  { nonAscii: "lower", html: false, slash: false },
  { nonAscii: "upper", html: false, slash: false },
  { nonAscii: "raw", html: true, slash: false },
  { nonAscii: "lower", html: false, slash: true },
];

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function uEscape(code: number, upper: boolean): string {
  const hex = code.toString(16).padStart(4, "0");
  return `\\u${upper ? hex.toUpperCase() : hex}`;
}

/**
 * Escapes `value` as the body of a JSON string (no surrounding quotes) in the given style.
 * Lone surrogates are always written as `\uXXXX`, as JSON.stringify does.
 */
export function jsonEscape(value: string, style: JsonStyle): string {
  const upper = style.nonAscii === "upper";
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = value.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
    } else if (code < 0x20) {
      out += uEscape(code, upper);
    } else if (ch === "/" && style.slash) {
      out += "\\/";
    } else if (style.html && (ch === "<" || ch === ">" || ch === "&" || code === 0x2028 || code === 0x2029)) {
      out += uEscape(code, false);
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      const paired = code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
      if (!paired) {
        out += uEscape(code, upper);
      } else if (style.nonAscii === "raw") {
        out += value.slice(i, i + 2);
        i++;
      } else {
        out += uEscape(code, upper) + uEscape(next, upper);
        i++;
      }
    } else if (code > 0x7e && style.nonAscii !== "raw") {
      out += uEscape(code, upper);
    } else {
      out += ch;
    }
  }
  return out;
}

/** The JSON-escaped forms, single and double (a JSON document inside a JSON string). */
function jsonForms(value: string): string[] {
  const std = JSON_STYLES[0] as JsonStyle;
  const asciiLower = JSON_STYLES[1] as JsonStyle;
  const out: string[] = [];
  for (const style of JSON_STYLES) {
    const once = jsonEscape(value, style);
    out.push(once, jsonEscape(once, std), jsonEscape(once, asciiLower));
  }
  return out;
}

function tryEncode(encode: (v: string) => string, value: string): string | undefined {
  try {
    return encode(value);
  } catch {
    return undefined; // encodeURI* throw URIError on lone surrogates; such a form cannot occur
  }
}

/** RFC 3986 strict: encodeURIComponent plus `!'()*`. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The percent-encoded forms, each also with lower-case hex digits. */
function urlForms(value: string): string[] {
  const upper = [
    tryEncode(encodeURIComponent, value),
    tryEncode(encodeURI, value),
    tryEncode(encodeRfc3986, value),
    tryEncode((v) => encodeURIComponent(v).replace(/%20/g, "+"), value),
    tryEncode((v) => new URLSearchParams({ v }).toString().slice(2), value),
    tryEncode((v) => encodeURIComponent(encodeURIComponent(v)), value),
  ].filter((f): f is string => f !== undefined);
  const lower = upper.map((f) => f.replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()));
  return [...upper, ...lower];
}

/**
 * Base64 forms. Besides the whole value (padded and not), the value may sit at byte offset 0, 1
 * or 2 (mod 3) inside a longer stream, such as `base64("user:" + password)` in a basic-auth
 * header. For each offset `k` only the characters whose 6 bits all come from the value are
 * stable: indices `ceil(8k/6)` to `floor(8(k+n)/6)` of `base64(k bytes + value)`.
 */
function base64Forms(bytes: Buffer): string[] {
  const n = bytes.length;
  const standard: string[] = [];
  const full = bytes.toString("base64");
  standard.push(full, full.replace(/=+$/, ""));
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    standard.push(encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + n)) / 6)));
  }
  const urlSafe = standard.map((f) => f.replace(/\+/g, "-").replace(/\//g, "_"));
  return [...standard, ...urlSafe];
}

/**
 * The forms of one family, or none when encoding fails: a value of hundreds of MB can make an
 * escaped form longer than V8's maximum string length (a RangeError, which names no value).
 */
function family(encode: () => string[]): string[] {
  try {
    return encode();
  } catch {
    return [];
  }
}

/**
 * Every textual form of `value` the masker must hide: raw, JSON-escaped (single and double, in
 * the styles of common encoders), percent-encoded (component, URI, RFC 3986, form, double;
 * upper- and lower-case hex), base64 (standard and url-safe, padded, unpadded and at the three
 * byte alignments inside a longer stream) and hex of the UTF-8 bytes (lower and upper case).
 * Never throws: a family that cannot be encoded (a value too large) is left out.
 *
 * @returns distinct non-empty forms, in no particular order; the raw value is always first
 */
export function secretForms(value: string): string[] {
  const forms = [
    value,
    ...family(() => jsonForms(value)),
    ...family(() => urlForms(value)),
    ...family(() => base64Forms(Buffer.from(value, "utf8"))),
    ...family(() => {
      const hex = Buffer.from(value, "utf8").toString("hex");
      return [hex, hex.toUpperCase()];
    }),
  ];
  return [...new Set(forms)].filter((f) => f.length > 0);
}
