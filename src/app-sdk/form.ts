/**
 * The form an app gives the web UI: a serialisable description (plain JSON) of the steps and
 * fields to collect a credential (per auth type) and a workflow config. The UI renders it; the
 * server never trusts it (values are validated by the zod schemas).
 */
import type { z } from "zod";
import { GuidvaultError } from "../errors/index.js";
import { isSecretKey } from "../redact/index.js";
import { type AppForm, FORM_FIELD_TYPES, type FormStep } from "./form-types.js";
import { fieldsOf } from "./secret.js";

export {
  type AppForm,
  FORM_FIELD_TYPES,
  type FormField,
  type FormFieldType,
  type FormStep,
} from "./form-types.js";

function fail(app: string, msg: string): never {
  throw new GuidvaultError("CONFIG_INVALID", `app ${app}: form: ${msg}`);
}

function checkSteps(app: string, steps: FormStep[], known: Map<string, boolean>, what: string): void {
  const seen = new Set<string>();
  for (const step of steps) {
    for (const f of step.fields) {
      if (!FORM_FIELD_TYPES.includes(f.type)) fail(app, `${what} field ${f.name} has unknown type ${f.type}`);
      if (seen.has(f.name)) fail(app, `${what} field ${f.name} appears twice`);
      seen.add(f.name);
      const secret = known.get(f.name);
      if (secret === undefined) fail(app, `${what} field ${f.name} is not in the schema`);
      if (secret !== f.secret) fail(app, `${what} field ${f.name} must have secret: ${secret}`);
      if (f.secret && f.type !== "password" && f.type !== "textarea")
        fail(app, `secret field ${f.name} must be a password or textarea`);
      if (f.secret && f.default !== undefined) fail(app, `secret field ${f.name} may not have a default`);
      if (f.type === "select" && !f.options?.length) fail(app, `select field ${f.name} needs options`);
    }
  }
}

/**
 * Checks the form against the schemas: every field exists, its `secret` flag equals the
 * schema's marker, secret fields are masked widgets without defaults; every auth type has steps.
 * @throws GuidvaultError `CONFIG_INVALID`
 */
export function checkForm(
  app: string,
  form: AppForm,
  authTypes: Record<string, z.ZodObject>,
  configSchema: z.ZodType,
): void {
  JSON.stringify(form); // must be serialisable
  for (const [name, schema] of Object.entries(authTypes)) {
    const steps = form.credential[name];
    if (!steps) fail(app, `no credential steps for auth type ${name}`);
    const known = new Map(fieldsOf(schema).map((f) => [f.path, f.secret]));
    checkSteps(app, steps, known, `${name}`);
  }
  for (const name of Object.keys(form.credential)) {
    if (!Object.hasOwn(authTypes, name)) fail(app, `credential steps for unknown auth type ${name}`);
  }
  const obj =
    (configSchema as { shape?: unknown }).shape !== undefined ? (configSchema as z.ZodObject) : undefined;
  const known = new Map(obj ? fieldsOf(obj).map((f) => [f.path, false] as const) : []);
  for (const path of known.keys()) {
    if (path.split(".").some((p) => isSecretKey(p)))
      fail(app, `config field ${path} looks secret; configs never hold secrets`);
  }
  checkSteps(app, form.config, known, "config");
}
