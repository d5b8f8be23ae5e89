/**
 * The secret masker (DESIGN.md part `redact`). Import from here.
 */

export { SECRET_KEY_FRAGMENTS, isSecretKey, normalizeKey } from "./keys.js";
export { MASK } from "./mask.js";
export {
  createMasker,
  isWeakSecret,
  MIN_MASK_LENGTH,
  type MaskedError,
  type Masker,
  maskError,
  masker,
  scrubError,
} from "./masker.js";
export { maskPatterns } from "./patterns.js";
export { secretForms } from "./forms.js";
