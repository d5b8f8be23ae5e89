/**
 * Option value parsers for commander. A bad value becomes a usage error (exit code 2) that
 * names the option and what is expected.
 */
import { InvalidArgumentError } from "commander";
import { formatCount } from "./progress.js";

/**
 * Parses a whole number in `[min, max]`.
 * @example program.option("-n, --lines <n>", "how many", intOption(1, 10_000), 20)
 */
export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${formatCount(max)}`);
    }
    return n;
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date or date-time (`2025-01-31`, `2025-01-31T12:00:00Z`); a date-time
 * without an offset is read as UTC.
 */
export function isoDateOption(value: string): Date {
  const v = value.trim();
  const m = ISO_DATE.exec(v);
  if (!m) throw new InvalidArgumentError("expected an ISO 8601 date or date-time, e.g. 2025-01-31T12:00:00Z");
  const withZone = m[1] && !m[4] ? `${v.replace(" ", "T")}Z` : v.replace(" ", "T");
  const d = new Date(m[1] ? withZone : `${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`"${v}" is not a valid date`);
  return d;
}
