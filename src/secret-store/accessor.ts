/** Rendering of accessors for audit events. */
import type { Accessor } from "./types.js";

/** Renders an accessor for an audit event (ids only, never a value). */
export function accessorString(a: Accessor): string {
  switch (a.kind) {
    case "run":
      return `run:${a.workflowId}/${a.runId}/${a.step}`;
    case "test-auth":
      return `test-auth:${a.principal}`;
    case "metadata":
      return `metadata:${a.principal}`;
    case "operator":
      return `operator:${a.principal}`;
  }
}
