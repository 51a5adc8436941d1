// Who the caller is, and whether their policies allow an operation on a path.
import type { TokenEntry } from './tokens/store.js';
import type { Caller, Operation } from './request.js';
import type { TokenIdentity } from './identity/index.js';

/** What the ACL is asked about one request. */
export type AccessQuery = {
  path: string; operation: Operation; data: Record<string, unknown>; sudo: boolean; wrapTtl?: number;
  /**
   * Asked before the body is read: parameters are not known yet (they are checked with the
   * full query afterwards), and a write may still turn out to be a create or an update.
   */
  beforeBody?: boolean;
};

/**
 * Decides whether a caller may make a request; throws (or rejects with) PermissionDenied when
 * not. Answers undefined when it decided at once, from what it holds in memory, so the
 * request path awaits only when there was something to wait for.
 */
export interface AccessControl {
  authorize(caller: Caller, query: AccessQuery): Promise<void> | undefined;
}

/** The caller a token entry describes, with what its entity adds (when it has one). */
export function callerOf(token: string, entry: TokenEntry, identity?: TokenIdentity): Caller {
  return {
    token, accessor: entry.accessor, policies: entry.policies, tokenId: entry.id,
    displayName: entry.display_name, entityId: identity?.entityId ?? entry.entity_id, metadata: entry.meta ?? {},
    isRoot: entry.policies.includes('root'), tokenType: entry.type,
    identityPolicies: identity?.policies ?? [],
    ...(identity ? { identity: identity.template } : {}),
  };
}

/** The policies a caller's ACL is built from: the token's and its entity's. */
export const aclPolicies = (caller: Caller): string[] =>
  caller.identityPolicies.length === 0 ? caller.policies : [...new Set([...caller.policies, ...caller.identityPolicies])];
