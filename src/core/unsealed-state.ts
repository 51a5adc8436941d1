// The state a core has only while unsealed, shared by core.ts (which builds it at unseal) and
// the request pipeline (which reads it on every request).
import type { MountTable } from './mounts.js';
import type { TokenStore } from './tokens/store.js';
import type { PolicyStore } from './policy-store.js';
import type { ExpirationManager } from './expiration/manager.js';
import type { Leases } from './expiration/leasing.js';
import type { PeriodicWork } from './periodic.js';
import type { PasswordPolicyStore } from './password-policy.js';
import type { TokenDeps } from './tokens/deps.js';
import type { WrapDeps } from './wrapping.js';
import type { Lockout } from './lockout.js';
import type { IdentityStore } from './identity/index.js';

/** State that exists only while unsealed. */
export type Unsealed = {
  mounts: MountTable; tokens: TokenStore; policies: PolicyStore; expiration: ExpirationManager; leases: Leases;
  periodic: PeriodicWork; passwordPolicies: PasswordPolicyStore; tokenDeps: TokenDeps; wrapDeps: WrapDeps; lockout: Lockout;
  identity: IdentityStore;
};
