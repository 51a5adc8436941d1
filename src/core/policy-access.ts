// The ACL check of every authenticated request, against the caller's compiled policies.
import { PermissionDenied } from '../util/errors.js';
import { aclPolicies, type AccessControl, type AccessQuery } from './access.js';
import type { PolicyStore } from './policy-store.js';
import type { Caller } from './request.js';

/** Access control backed by core's policy store. */
export function policyAccess(policies: () => PolicyStore): AccessControl {
  return {
    async authorize(caller: Caller, query: AccessQuery): Promise<void> {
      const acl = await policies().acl(aclPolicies(caller), caller.identity);
      const ask = (operation: AccessQuery['operation']) => acl.allowed({
        path: query.path, operation, params: query.data, wrapTtlSeconds: query.wrapTtl, checkParameters: !query.beforeBody,
      });
      let decision = ask(query.operation);
      // A write is a create or an update once core knows whether the target exists.
      if (query.beforeBody && !decision.allowed && query.operation === 'update') decision = ask('create');
      if (!decision.allowed) throw new PermissionDenied();
      // Root-protected paths need `sudo` on top of the operation's own capability.
      if (query.sudo && !decision.rootPrivs) throw new PermissionDenied();
    },
  };
}
