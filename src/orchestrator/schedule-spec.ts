/**
 * Validation of workflow schedules: a 5-field cron expression (minute hour day-of-month month
 * day-of-week, as crontab(5)) and an IANA time zone, parsed with cron-parser.
 */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

/** True when `tz` is an IANA time zone name known to this Node.js (ICU). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Schedule as clients send it; `timezone` defaults to UTC, `paused` to false. */
export const scheduleSchema = z
  .object({
    cron: z
      .string()
      .max(120)
      .refine((c) => c.trim().split(/\s+/).length === 5, {
        message: "cron must have 5 fields: minute hour day month weekday",
      })
      .refine(
        (c) => {
          try {
            CronExpressionParser.parse(c);
            return true;
          } catch {
            return false;
          }
        },
        { message: "cron expression is not valid" },
      ),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: "timezone must be an IANA name such as Europe/Berlin" })
      .default("UTC"),
    paused: z.boolean().default(false),
  })
  .strict();

/** Next `count` fire times of a schedule (ISO strings), for previews. */
export function nextFireTimes(cron: string, timezone: string, count = 3, from = new Date()): string[] {
  const it = CronExpressionParser.parse(cron, { tz: timezone, currentDate: from });
  return Array.from({ length: count }, () => it.next().toISOString() ?? "");
}
