// Renewing and revoking tokens. Revoking a token revokes its children first (depth first) and
// then whatever hangs off the token itself (its cubbyhole, its leases) through core's hooks;
// an orphaned revoke leaves the children alive as orphans.
import { BadRequest } from '../../util/errors.js';
import type { TokenDeps } from './deps.js';
import type { TokenEntry } from './store.js';
import { authBlock } from './issue.js';
import { effectiveTtl } from './ttl.js';

/** Revokes a token and every descendant. */
export async function revokeTree(deps: TokenDeps, entry: TokenEntry): Promise<void> {
  refuseBatch(entry, 'revoked');
  const tokens = deps.store;
  // Under the token's lock, so no child can be created between listing children and removal.
  await tokens.exclusive(entry.id, async () => {
    // Re-read: a concurrent revocation may have got there first, or a reparent moved it.
    const current = await tokens.byId(entry.id, true);
    if (!current) return;
    for (const childId of await tokens.children(current.id)) {
      const child = await tokens.byId(childId, true);
      if (child) await revokeTree(deps, child);
      else await tokens.dropChildIndex(current.id, childId);
    }
    await deps.revoked(current);
    await tokens.remove(current);
  });
}

/** Revokes only the token; its children become orphans. */
export async function revokeOrphan(deps: TokenDeps, entry: TokenEntry): Promise<void> {
  refuseBatch(entry, 'revoked');
  const tokens = deps.store;
  await tokens.exclusive(entry.id, async () => {
    for (const childId of await tokens.children(entry.id)) {
      const child = await tokens.byId(childId, true);
      if (child) await tokens.reparent(child.id, '');
      else await tokens.dropChildIndex(entry.id, childId);
    }
    await deps.revoked(entry);
    await tokens.remove(entry);
  });
}

/**
 * Renews a token by `increment` seconds (0: a login token's current TTL from its method, any
 * other token its original TTL), bounded by the maximums counted from when it was issued. Answers Vault's `auth` block.
 */
export async function renewToken(deps: TokenDeps, token: string, entry: TokenEntry, increment: number) {
  refuseBatch(entry, 'renewed');
  const now = deps.clock.now();
  // Asked first, outside the token's lock: a login token's method may refuse or re-cap it.
  const limits = await deps.renewalLimits(entry);
  let warnings: string[] = [];
  // Computed from the entry as it is under the lock; only the renewal's own fields change.
  const renewed = await deps.store.update(entry.id, (current) => {
    if (!current.renewable || current.expire_at === 0) throw new BadRequest('lease is not renewable');
    const sinceIssue = Math.floor((now - current.issued_at) / 1000);
    // Vault: without an increment a login token gets what its method says now (the role's or
    // user's token_ttl, else the mount's default), any other token its own TTL again.
    const fallback = current.login ? 0 : current.ttl;
    const granted = effectiveTtl(limits, {
      // Vault: the method's current token_period, as its renew handler returns it.
      requested: increment > 0 ? increment : fallback, period: current.login ? limits.period ?? current.period : current.period, explicitMax: current.explicit_max_ttl, sinceIssue,
    });
    warnings = granted.warnings;
    return { expire_at: now + granted.ttl * 1000, last_renewal: now };
  });
  // Revoked between the caller's lookup and the lock: as if it had never been found.
  if (!renewed) throw new BadRequest('token not found');
  return { auth: authBlock(token, renewed, now), warnings };
}

/** Vault: a batch token lives exactly its TTL (or until its parent goes); it is never revoked
 *  or renewed on its own. */
function refuseBatch(entry: TokenEntry, what: 'revoked' | 'renewed'): void {
  if (entry.type === 'batch') throw new BadRequest(`batch tokens cannot be ${what}`);
}
