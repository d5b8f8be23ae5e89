/**
 * Validation messages that name the field and the rule broken, never the submitted value.
 * Built from zod issue fields (code, expected, bounds, allowed options), not from free text,
 * except for custom refinements, whose message is the app author's and passes the masker.
 */
import type { z } from "zod";
import { type ErrorCode, GuidvaultError } from "../errors/index.js";
import { MASK, masker } from "../redact/index.js";

function pathOf(path: readonly PropertyKey[], prefix: string): string {
  const p = path
    .map((k) => (typeof k === "number" ? `[${k}]` : String(k)))
    .join(".")
    .replace(/\.\[/g, "[");
  return [prefix, p].filter(Boolean).join(".") || "(root)";
}

function bound(
  issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string },
  small: boolean,
): string {
  const n = String(small ? issue.minimum : issue.maximum);
  const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " items" : "";
  const cmp = small
    ? issue.inclusive === false
      ? "more than"
      : "at least"
    : issue.inclusive === false
      ? "less than"
      : "at most";
  return `must be ${cmp} ${n}${unit}`;
}

/** One issue as `path: rule`. */
export function describeIssue(issue: z.core.$ZodIssue, prefix = ""): string[] {
  const at = pathOf(issue.path, prefix);
  switch (issue.code) {
    case "invalid_type":
      return [
        `${at}: ${issue.expected === "undefined" ? "is not allowed" : `required, must be ${issue.expected}`}`,
      ];
    case "too_small":
      return [`${at}: ${bound(issue, true)}`];
    case "too_big":
      return [`${at}: ${bound(issue, false)}`];
    case "invalid_format":
      // zod's format messages (and the schema author's) describe the rule, not the input.
      return [`${at}: ${masker.mask(issue.message)}`];
    case "invalid_value":
      return [`${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`];
    case "unrecognized_keys":
      return issue.keys.map((k) => `${pathOf([...issue.path, k], prefix)}: unknown field`);
    case "not_multiple_of":
      return [`${at}: must be a multiple of ${String(issue.divisor)}`];
    case "invalid_union":
      return [`${at}: does not match any accepted form`];
    case "invalid_key":
    case "invalid_element":
      return [`${at}: invalid ${issue.code === "invalid_key" ? "key" : "element"}`];
    default:
      return [`${at}: ${masker.mask(issue.message)}`];
  }
}

/**
 * Builds the error for a failed parse. `scrub` lists values that must not appear (the submitted
 * secret values), removed even from custom messages.
 *
 * @example
 * throw validationError("CREDENTIAL_INVALID", "credential (postgres/basic)", result.error, ["..."]);
 */
export function validationError(
  code: ErrorCode,
  what: string,
  error: z.ZodError,
  scrub: readonly string[] = [],
): GuidvaultError {
  const clean = (line: string) => {
    let out = line;
    for (const v of scrub) if (v.length >= 3) out = out.split(v).join(MASK);
    return masker.mask(out);
  };
  const lines = error.issues
    .flatMap((i) => describeIssue(i))
    .slice(0, 50)
    .map(clean);
  return new GuidvaultError(code, `${what} is invalid: ${lines.join("; ")}`, { details: { fields: lines } });
}
