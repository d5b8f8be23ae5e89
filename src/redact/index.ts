/**
 * The secret masker (DESIGN.md part `redact`). Import from here.
 */

export { secretForms } from "./forms.js";
export { isSecretKey, normalizeKey, SECRET_KEY_FRAGMENTS } from "./keys.js";
export { MASK } from "./mask.js";
export {
  createMasker,
  isWeakSecret,
  type MaskedError,
  type Masker,
  MIN_MASK_LENGTH,
  maskError,
  masker,
  scrubError,
} from "./masker.js";
export { maskPatterns } from "./patterns.js";
