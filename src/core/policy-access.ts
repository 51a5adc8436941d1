// The ACL check of every authenticated request, against the caller's compiled policies.
import { PermissionDenied } from '../util/errors.js';
import { aclPolicies, type AccessControl, type AccessQuery } from './access.js';
import type { PolicyStore } from './policy-store.js';
import type { Acl } from '../policy/index.js';
import type { Caller } from './request.js';

/** Access control backed by core's policy store. */
export function policyAccess(policies: () => PolicyStore): AccessControl {
  return {
    authorize(caller: Caller, query: AccessQuery): Promise<void> | undefined {
      const store = policies();
      const names = aclPolicies(caller);
      // A compiled ACL in memory decides now; otherwise once the policies are loaded.
      const acl = store.aclNow(names, caller.identity);
      if (acl !== undefined) return decide(acl, query);
      return store.acl(names, caller.identity).then((loaded) => decide(loaded, query));
    },
  };
}

/** Allows the query or throws PermissionDenied. */
function decide(acl: Acl, query: AccessQuery): undefined {
  const ask = (operation: AccessQuery['operation']) => acl.allowed({
    path: query.path, operation, params: query.data, wrapTtlSeconds: query.wrapTtl, checkParameters: !query.beforeBody,
  });
  let decision = ask(query.operation);
  // A write is a create or an update once core knows whether the target exists.
  if (query.beforeBody && !decision.allowed && query.operation === 'update') decision = ask('create');
  if (!decision.allowed) throw new PermissionDenied();
  // Root-protected paths need `sudo` on top of the operation's own capability.
  if (query.sudo && !decision.rootPrivs) throw new PermissionDenied();
  return undefined;
}
