/**
 * Schedule of a workflow: none (run on demand), or a 5-field cron expression with a time zone,
 * previewed in words (cronstrue) as it is typed. The server validates it again (cron-parser).
 */
import cronstrue from "cronstrue";
import { useId, useMemo } from "react";
import type { Schedule } from "../types.js";

/** Editing state of a schedule. */
export interface ScheduleDraft {
  enabled: boolean;
  cron: string;
  timezone: string;
}

/** The browser's time zone (default for new schedules). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A draft from a stored schedule. */
export function draftOf(s: Schedule | null | undefined): ScheduleDraft {
  return s
    ? { enabled: true, cron: s.cron, timezone: s.timezone }
    : { enabled: false, cron: "0 2 * * *", timezone: localTimeZone() };
}

/** The schedule to send, or null for none. */
export function scheduleOf(d: ScheduleDraft): Schedule | null {
  return d.enabled ? { cron: d.cron.trim().replace(/\s+/g, " "), timezone: d.timezone } : null;
}

/** Cron in words, or an error message. */
export function describeCron(cron: string): { ok: true; text: string } | { ok: false; text: string } {
  const c = cron.trim();
  if (c.split(/\s+/).length !== 5)
    return { ok: false, text: "A cron expression has 5 fields: minute hour day-of-month month day-of-week." };
  try {
    return { ok: true, text: cronstrue.toString(c, { use24HourTimeFormat: true, verbose: true }) };
  } catch (err) {
    return { ok: false, text: `Not a valid cron expression: ${String(err).replace(/^Error:\s*/, "")}` };
  }
}

const PRESETS: Array<[string, string]> = [
  ["0 * * * *", "Every hour"],
  ["0 2 * * *", "Every day at 02:00"],
  ["0 6 * * 1", "Every Monday at 06:00"],
  ["0 0 1 * *", "First day of every month"],
];

function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** The schedule editor. */
export function ScheduleEditor({
  value,
  onChange,
}: {
  value: ScheduleDraft;
  onChange: (d: ScheduleDraft) => void;
}) {
  const id = useId();
  const zones = useMemo(timeZones, []);
  const preview = describeCron(value.cron);
  return (
    <div className="schedule">
      <fieldset className="choice">
        <legend>When should it run?</legend>
        <label className="radio">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={!value.enabled}
            onChange={() => onChange({ ...value, enabled: false })}
          />
          Only when I press <em>Run now</em> (no schedule)
        </label>
        <label className="radio">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={value.enabled}
            onChange={() => onChange({ ...value, enabled: true })}
          />
          On a schedule (cron)
        </label>
      </fieldset>
      {value.enabled && (
        <div className="grid">
          <div className="field">
            <label htmlFor={`${id}-cron`}>Cron expression</label>
            <input
              id={`${id}-cron`}
              type="text"
              value={value.cron}
              onChange={(e) => onChange({ ...value, cron: e.target.value })}
              aria-describedby={`${id}-preview`}
              aria-invalid={!preview.ok}
              autoComplete="off"
              spellCheck={false}
              className="mono"
            />
            <p
              id={`${id}-preview`}
              className={preview.ok ? "cron-preview" : "cron-preview cron-bad"}
              aria-live="polite"
            >
              {preview.text}
              {preview.ok && ` (${value.timezone})`}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-preset`}>Common schedules</label>
            <select
              id={`${id}-preset`}
              value={PRESETS.some(([c]) => c === value.cron.trim()) ? value.cron.trim() : ""}
              onChange={(e) => e.target.value && onChange({ ...value, cron: e.target.value })}
            >
              <option value="">Custom</option>
              {PRESETS.map(([c, label]) => (
                <option key={c} value={c}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-tz`}>Time zone</label>
            <select
              id={`${id}-tz`}
              value={value.timezone}
              onChange={(e) => onChange({ ...value, timezone: e.target.value })}
            >
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
    </div>
  );
}
