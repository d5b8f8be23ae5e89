/**
 * The fixed replacement for every secret. It never depends on the value (no length, no first
 * character), so a masked line reveals nothing about what was there (case 012).
 */
export const MASK = "[MASKED]";
