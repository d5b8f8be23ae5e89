/**
 * `defineApp`: how an app is written. An app declares its auth types (strict zod schemas with
 * secret fields marked), the schema of its workflow config, a form for the UI, `testAuth`,
 * `fetchMetadata` and the steps of its workflow. `defineApp` checks the declaration once and
 * adds the credential split/merge and config parsing bound to it.
 */
import { z } from "zod";
import { GuidvaultError } from "../errors/index.js";
import { isSecretKey } from "../redact/index.js";
import type { ActivityLogger, WorkflowStep } from "./context.js";
import {
  type AuthTypes,
  type Credential,
  type CredentialHalves,
  type CredentialOf,
  mergeCredential,
  RESERVED_FIELDS,
  type SplitCredential,
  type SubmittedCredential,
  splitCredential,
} from "./credential.js";
import { type AppForm, checkForm } from "./form.js";
import { fieldsOf } from "./secret.js";
import { validationError } from "./validation.js";

/** App names: lower case, 1-63 characters. */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
const STEP_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Options passed to `testAuth` and `fetchMetadata`. */
export interface AppCallOptions {
  logger?: ActivityLogger;
  signal?: AbortSignal;
}

/** Result of a test-connection call. `message` names host and user, never a secret. */
export interface TestAuthResult {
  ok: boolean;
  message: string;
}

/** What an app author writes. */
export interface AppDefinition<A extends AuthTypes, C extends z.ZodType> {
  /** Unique app name (`postgres`). */
  name: string;
  /** Human title for the UI. */
  title?: string;
  description?: string;
  /** Auth type name -> strict object schema (build with `authTypes.basic(...)` etc.). */
  authTypes: A;
  /** Schema of the workflow config's app settings. Field names must not look secret. */
  configSchema: C;
  form: AppForm;
  /** Tries the credential against the external system. Reports failure as `{ ok: false }`. */
  testAuth(cred: CredentialOf<A>, opts: AppCallOptions): Promise<TestAuthResult>;
  /** Lists what a user needs to write filters (databases, schemas...). */
  fetchMetadata(cred: CredentialOf<A>, request: unknown, opts: AppCallOptions): Promise<unknown>;
  workflow: { steps: ReadonlyArray<WorkflowStep<z.output<C>, CredentialOf<A>>> };
}

/**
 * Any defined app, with its types erased: what the registry, the credential service and the
 * orchestrator hold. Every `App<A, C>` is assignable to it.
 */
export interface AnyApp {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly authTypes: AuthTypes;
  readonly configSchema: z.ZodType;
  readonly form: AppForm;
  testAuth(cred: Credential, opts: AppCallOptions): Promise<TestAuthResult>;
  fetchMetadata(cred: Credential, request: unknown, opts: AppCallOptions): Promise<unknown>;
  readonly workflow: { readonly steps: ReadonlyArray<WorkflowStep> };
  splitCredential(submitted: SubmittedCredential): SplitCredential;
  mergeCredential(halves: CredentialHalves): Credential;
  parseConfig(config: unknown): unknown;
  secretFields(authType: string): string[];
  describe(): AppDescription;
}

/** A defined app: the definition plus bound helpers. */
export interface App<A extends AuthTypes = AuthTypes, C extends z.ZodType = z.ZodType>
  extends AppDefinition<A, C> {
  /** Validates submitted values and splits them. @throws `CREDENTIAL_INVALID` */
  splitCredential(submitted: SubmittedCredential): SplitCredential;
  /** Joins both halves into one frozen credential. @throws `INTEGRITY_ERROR` */
  mergeCredential(halves: CredentialHalves): Credential;
  /** Parses a workflow config's app settings (defaults applied). @throws `CONFIG_INVALID` */
  parseConfig(config: unknown): z.output<C>;
  /** Dot paths of the secret fields of an auth type. */
  secretFields(authType: string): string[];
  /** Serialisable description for the UI and API. */
  describe(): AppDescription;
}

/** What the UI needs to render an app. */
export interface AppDescription {
  name: string;
  title: string;
  description: string;
  authTypes: string[];
  steps: string[];
  form: AppForm;
}

function fail(app: string, msg: string): never {
  throw new GuidvaultError("CONFIG_INVALID", `app ${app}: ${msg}`);
}

function checkAuthTypes(app: string, authTypes: AuthTypes): void {
  const names = Object.keys(authTypes);
  if (names.length === 0) fail(app, "declares no auth type");
  for (const [name, schema] of Object.entries(authTypes)) {
    if (!APP_NAME_PATTERN.test(name)) fail(app, `auth type name ${JSON.stringify(name)} is invalid`);
    if (!(schema instanceof z.ZodObject)) fail(app, `auth type ${name} must be a zod object schema`);
    if (!(schema._zod.def.catchall instanceof z.ZodNever))
      fail(app, `auth type ${name} must be strict (z.strictObject): unknown fields are rejected`);
    const fields = fieldsOf(schema);
    for (const key of Object.keys(schema.shape))
      if (RESERVED_FIELDS.includes(key)) fail(app, `auth type ${name} uses reserved field ${key}`);
    for (const f of fields) {
      const looksSecret = f.path.split(".").some((p) => isSecretKey(p));
      if (looksSecret && !f.secret)
        fail(app, `auth type ${name}: field ${f.path} looks secret and must be wrapped in secret(...)`);
    }
    if (!fields.some((f) => f.secret && !f.optional))
      fail(app, `auth type ${name} needs at least one required secret field`);
  }
}

/**
 * Defines an app. Checks the declaration (strict auth schemas, secret-looking fields marked
 * secret, a required secret per auth type, form consistent with the schemas, unique step names).
 *
 * @throws GuidvaultError `CONFIG_INVALID` for a malformed declaration (at import time)
 * @example
 * export const myApp = defineApp({
 *   name: "my-db",
 *   authTypes: { basic: authTypes.basic({ defaultPort: 3306 }) },
 *   configSchema: z.strictObject({ include: z.array(z.string()).default([]) }),
 *   form, testAuth, fetchMetadata,
 *   workflow: { steps: [{ name: "extract", run: async (ctx) => { const c = await ctx.getCredentials(); ... } }] },
 * });
 */
export function defineApp<const A extends AuthTypes, C extends z.ZodType>(
  def: AppDefinition<A, C>,
): App<A, C> {
  const name = def.name;
  if (typeof name !== "string" || !APP_NAME_PATTERN.test(name))
    fail(String(name), "name must match [a-z][a-z0-9_-]{0,62}");
  checkAuthTypes(name, def.authTypes);
  checkForm(name, def.form, def.authTypes, def.configSchema);
  const steps = def.workflow.steps.map((s) => s.name);
  if (steps.length === 0) fail(name, "workflow has no steps");
  for (const s of steps) if (!STEP_NAME.test(s)) fail(name, `step name ${JSON.stringify(s)} is invalid`);
  if (new Set(steps).size !== steps.length) fail(name, "step names must be unique");

  const app: App<A, C> = {
    ...def,
    splitCredential: (submitted) => splitCredential(name, def.authTypes, submitted),
    mergeCredential: (halves) => mergeCredential(name, def.authTypes, halves),
    parseConfig(config) {
      const parsed = def.configSchema.safeParse(config ?? {});
      if (!parsed.success)
        throw validationError("CONFIG_INVALID", `workflow config of app ${name}`, parsed.error);
      return parsed.data;
    },
    secretFields(authType) {
      const schema = def.authTypes[authType];
      return schema
        ? fieldsOf(schema)
            .filter((f) => f.secret)
            .map((f) => f.path)
        : [];
    },
    describe: () => ({
      name,
      title: def.title ?? name,
      description: def.description ?? "",
      authTypes: Object.keys(def.authTypes),
      steps,
      form: def.form,
    }),
  };
  return Object.freeze(app);
}
