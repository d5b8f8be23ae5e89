/**
 * The types of an app's form: plain JSON shared by the server (src/app-sdk/form.ts checks it)
 * and the web UI (src/ui/web renders it). No imports, so the browser bundle can use it as is.
 */

/**
 * Field widgets: `text`, `number`, `password` (masked, fixed-width placeholder for a stored
 * value, case 012), `select` (with `options`), `textarea` (multi-line, e.g. PEM; masked when
 * `secret`), `checkbox` (boolean), `list` (list of strings, one per line).
 */
export const FORM_FIELD_TYPES = [
  "text",
  "number",
  "password",
  "select",
  "textarea",
  "checkbox",
  "list",
] as const;
/** One of {@link FORM_FIELD_TYPES}. */
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** One input. */
export interface FormField {
  /** Dot path of the value (`host`, `extra.sslmode`, `include`). */
  name: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  /** True for a secret field: rendered masked, never pre-filled from a stored credential. */
  secret: boolean;
  help?: string;
  placeholder?: string;
  /** Initial value (never for a secret field). */
  default?: string | number | boolean | string[];
  /** Choices of a `select`. */
  options?: Array<{ value: string; label: string }>;
}

/** One page of the form. */
export interface FormStep {
  id: string;
  title: string;
  description?: string;
  fields: FormField[];
}

/** The whole form of an app. */
export interface AppForm {
  /** Steps collecting a credential, per auth type name. */
  credential: Record<string, FormStep[]>;
  /** Steps collecting the workflow config (filters...). */
  config: FormStep[];
}
