// Tokens seen as leases. Vault registers every token that expires as a lease whose id is the
// token's creation path plus its (salted) id, e.g. `auth/token/create/<id>`: so
// sys/leases/lookup lists them and sys/leases/revoke-prefix revokes them (and disabling an
// auth method revokes the tokens it issued). Lockbox keeps no second record: the ids are
// derived from the token entries, which already carry the path and the HMAC id.
import type { TokenDeps } from './deps.js';
import type { TokenEntry } from './store.js';
import { revokeTree } from './lifecycle.js';
import type { ExpiryItem } from '../expiration/queue.js';
import { revokeDueTokens, type BulkOutcome } from './expiry.js';

/** What the lease side of the expiration manager needs to know of tokens. */
export interface TokenLeases {
  /** The lease ids of every token that expires. */
  ids(): Promise<string[]>;
  /** Revokes the tokens behind these lease ids (and their children). */
  revoke(leaseIds: readonly string[]): Promise<void>;
  /**
   * Revokes in one transaction the due tokens of `items` that `attached` (leases, cubbyhole)
   * and their own children leave plain; answers the items that need the full revocation.
   * `submitted` is called once the transaction is handed to storage.
   */
  revokeDue(items: readonly ExpiryItem[], attached: (ids: string[]) => Promise<Set<string>>, submitted?: () => void): Promise<BulkOutcome>;
}

const leaseIdOf = (entry: TokenEntry) => `${entry.path}/${entry.id}`;

/** Token leases over one token store. */
export function tokenLeases(deps: TokenDeps): TokenLeases {
  const expiring = async () => (await deps.store.allEntries()).filter((e) => e.expire_at !== 0);
  return {
    ids: async () => (await expiring()).map(leaseIdOf),
    revoke: async (leaseIds) => {
      const wanted = new Set(leaseIds);
      for (const entry of await expiring()) if (wanted.has(leaseIdOf(entry))) await revokeTree(deps, entry);
    },
    revokeDue: (items, attached, submitted) => revokeDueTokens(deps.store, items, deps.clock.now(), attached, submitted),
  };
}
