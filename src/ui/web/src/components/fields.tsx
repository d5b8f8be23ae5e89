/**
 * Inputs generated from an app's form definition. Non-secret fields are controlled React state.
 * Secret fields are deliberately uncontrolled: their value lives only in the input element (never
 * in React state, never mirrored into a `value` attribute), is read once when the form is
 * submitted and then cleared from the element. They are `type=password` with
 * `autocomplete="new-password"`, never pre-filled, with a show/hide toggle.
 */
import { type ReactNode, type RefCallback, useId, useState } from "react";
import type { FormField } from "../types.js";

/** A non-secret field's editing value: text for text/number/select/list, boolean for checkbox. */
export type FieldValue = string | boolean;

/** Reads a dot path (`extra.sslmode`) from a nested object. */
export function getPath(obj: Record<string, unknown> | null | undefined, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Writes a dot path into a nested object, creating objects on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
}

function toEditing(field: FormField, v: unknown): FieldValue {
  if (field.type === "checkbox") return v === true;
  if (Array.isArray(v)) return v.map(String).join("\n");
  if (v === undefined || v === null) return "";
  return String(v);
}

/** Editing values of the non-secret fields, from stored values or the form's defaults. */
export function initialValues(
  fields: FormField[],
  from?: Record<string, unknown> | null,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of fields) {
    if (f.secret) continue;
    const stored = getPath(from, f.name);
    out[f.name] = toEditing(f, stored !== undefined ? stored : f.default);
  }
  return out;
}

/** Converts editing values into the nested object the API expects; empty optional fields are left out. */
export function nonSecretValues(
  fields: FormField[],
  values: Record<string, FieldValue>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.secret) continue;
    const v = values[f.name];
    if (f.type === "checkbox") {
      setPath(out, f.name, v === true);
      continue;
    }
    const text = typeof v === "string" ? v.trim() : "";
    if (f.type === "list") {
      const items = text
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length > 0 || f.required) setPath(out, f.name, items);
      continue;
    }
    if (text === "" && !f.required) continue;
    setPath(
      out,
      f.name,
      f.type === "number" && text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text,
    );
  }
  return out;
}

function Help({ id, field }: { id: string; field: FormField }) {
  if (!field.help) return null;
  return (
    <p className="help" id={id}>
      {field.help}
    </p>
  );
}

function Label({ htmlFor, field }: { htmlFor: string; field: FormField }) {
  return (
    <label htmlFor={htmlFor}>
      {field.label}
      {field.required ? (
        <span className="required" aria-hidden="true">
          {" "}
          *
        </span>
      ) : (
        <span className="optional"> (optional)</span>
      )}
    </label>
  );
}

/** One non-secret input. */
export function FieldInput({
  field,
  value,
  onChange,
  disabled,
}: {
  field: FormField;
  value: FieldValue;
  onChange: (v: FieldValue) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const described = field.help ? helpId : undefined;
  const text = typeof value === "string" ? value : "";
  if (field.type === "checkbox") {
    return (
      <div className="field field-checkbox">
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
          disabled={disabled}
          aria-describedby={described}
        />
        <label htmlFor={id}>{field.label}</label>
        <Help id={helpId} field={field} />
      </div>
    );
  }
  let input: ReactNode;
  if (field.type === "select") {
    input = (
      <select
        id={id}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        required={field.required}
        aria-describedby={described}
      >
        {!field.required && <option value="">(default)</option>}
        {(field.options ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.type === "textarea" || field.type === "list") {
    input = (
      <textarea
        id={id}
        value={text}
        rows={field.type === "list" ? 3 : 5}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        required={field.required}
        placeholder={field.placeholder ?? (field.type === "list" ? "one per line" : undefined)}
        aria-describedby={described}
        spellCheck={false}
      />
    );
  } else {
    input = (
      <input
        id={id}
        type={field.type === "number" ? "number" : "text"}
        inputMode={field.type === "number" ? "numeric" : undefined}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        required={field.required}
        placeholder={field.placeholder}
        aria-describedby={described}
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
      />
    );
  }
  return (
    <div className="field">
      <Label htmlFor={id} field={field} />
      {input}
      <Help id={helpId} field={field} />
    </div>
  );
}

/**
 * One secret input (uncontrolled). `inputRef` receives the element so the form can read and
 * clear it on submit.
 */
export function SecretInput({
  field,
  inputRef,
  focus = false,
}: {
  field: FormField;
  inputRef: RefCallback<HTMLInputElement | HTMLTextAreaElement>;
  /** Focus the input when it appears (after a Replace action). */
  focus?: boolean;
}) {
  const id = useId();
  const helpId = `${id}-help`;
  const [visible, setVisible] = useState(false);
  const toggle = (
    <button
      type="button"
      className="btn btn-quiet btn-small"
      aria-controls={id}
      aria-label={`${visible ? "Hide" : "Show"} ${field.label.toLowerCase()}`}
      onClick={() => setVisible((v) => !v)}
    >
      {visible ? "Hide" : "Show"}
    </button>
  );
  return (
    <div className="field">
      <Label htmlFor={id} field={field} />
      <div className="secret-row">
        {field.type === "textarea" ? (
          <textarea
            id={id}
            ref={inputRef}
            className={visible ? "secret-text" : "secret-text masked"}
            rows={5}
            required={field.required}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={field.help ? helpId : undefined}
            data-secret="true"
            // biome-ignore lint/a11y/noAutofocus: moves focus to the field the user asked to replace
            autoFocus={focus}
          />
        ) : (
          <input
            id={id}
            ref={inputRef}
            type={visible ? "text" : "password"}
            autoComplete="new-password"
            required={field.required}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            aria-describedby={field.help ? helpId : undefined}
            data-secret="true"
            // biome-ignore lint/a11y/noAutofocus: moves focus to the field the user asked to replace
            autoFocus={focus}
          />
        )}
        {toggle}
      </div>
      <Help id={helpId} field={field} />
    </div>
  );
}

/**
 * The placeholder shown for a stored secret: a fixed text that does not depend on the value
 * (which the browser never receives; case 012).
 */
export function StoredSecret({ label }: { label: string }) {
  return (
    <div className="field">
      <span className="label-text">{label}</span>
      <span className="stored-secret">
        <span className="badge badge-ok">stored</span> <span className="muted">write-only: never shown</span>
      </span>
    </div>
  );
}
