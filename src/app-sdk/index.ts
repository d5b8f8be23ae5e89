/**
 * The app SDK: how apps are written (`defineApp`), their credential schemas per auth type, the
 * split of a credential into its secret half and credential config, the activity context of a
 * workflow step, and the app registry. See docs/apps.md.
 */
export {
  AUTH_TYPE_NAMES,
  type AuthTypeOptions,
  authTypes,
  hostField,
  type NoFields,
  portField,
} from "./auth-types.js";
export {
  type ActivityContext,
  type ActivityContextHandle,
  type ActivityContextOptions,
  type ActivityLogger,
  createActivityContext,
  type WorkflowStep,
} from "./context.js";
export {
  type AuthTypes,
  type Credential,
  type CredentialHalves,
  type CredentialMeta,
  type CredentialOf,
  type DeepReadonly,
  mergeCredential,
  patchValues,
  RESERVED_FIELDS,
  type SplitCredential,
  type SubmittedCredential,
  splitCredential,
} from "./credential.js";
export {
  type AnyApp,
  APP_NAME_PATTERN,
  type App,
  type AppCallOptions,
  type AppDefinition,
  type AppDescription,
  defineApp,
  type TestAuthResult,
} from "./define-app.js";
export { type AppForm, FORM_FIELD_TYPES, type FormField, type FormFieldType, type FormStep } from "./form.js";
export { checkJsonInput, DEFAULT_MAX_JSON_DEPTH, type JsonInputOptions } from "./json-input.js";
export { type JsonlWriter, openJsonl, readJsonl } from "./jsonl.js";
export { type AppDefinitionLike, type AppRegistry, createAppRegistry } from "./registry.js";
export { type FieldInfo, fieldsOf, isSecretSchema, secret } from "./secret.js";
export { validationError } from "./validation.js";
