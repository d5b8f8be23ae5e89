/**
 * The access rule (DESIGN.md "Access rule"): a run accessor may resolve a credential GUID only
 * while that run is in progress and its workflow config references the GUID, in the same
 * tenant. Test-auth and operator accessors are authorised by the API before they get here.
 */
import type { AccessPolicy } from "../secret-store/types.js";
import type { StateStore } from "../state-store/types.js";

/** Creates the access policy over the state store. */
export function createAccessPolicy(stateStore: Pick<StateStore, "isRunAllowed">): AccessPolicy {
  return async (guid, tenant, accessor) => {
    if (accessor.kind !== "run") return true;
    return stateStore.isRunAllowed(guid, tenant, accessor.workflowId, accessor.runId);
  };
}
