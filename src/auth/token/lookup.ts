// How a token entry is shown by auth/token/lookup*: Vault's field names and JSON types.
import type { TokenEntry } from '../../core/tokens/store.js';

/** The TTL a lookup shows: whole seconds left, 0 for a token that never expires. */
const ttlLeft = (entry: TokenEntry, now: number) => (entry.expire_at === 0 ? 0 : Math.max(0, Math.ceil((entry.expire_at - now) / 1000)));

/**
 * A lookup's response. Its data is fixed by the entry object (the token store replaces an
 * entry that changes; a token and its entry go together), the TTL left and the entity's
 * policies: that is its audit key, so audit devices hash one lookup per second, not each.
 */
export function lookupResponse(entry: TokenEntry, now: number, token: string | undefined, identityPolicies: string[] = []) {
  const data = lookupData(entry, now, token, identityPolicies);
  return { data, auditKey: { object: entry, part: `${data.ttl as number}|${token === undefined ? '' : 'id'}|${identityPolicies.join(',')}` } };
}

/** Vault's lookup answer for a token entry. `id` is the token itself, only for lookup-self/lookup. */
export function lookupData(entry: TokenEntry, now: number, token: string | undefined, identityPolicies: string[] = []): Record<string, unknown> {
  const ttl = ttlLeft(entry, now);
  return {
    accessor: entry.accessor,
    creation_time: entry.creation_time,
    creation_ttl: entry.ttl,
    display_name: entry.display_name,
    entity_id: entry.entity_id,
    expire_time: entry.expire_at === 0 ? null : new Date(entry.expire_at).toISOString(),
    explicit_max_ttl: entry.explicit_max_ttl,
    id: token ?? '',
    issue_time: new Date(entry.issued_at).toISOString(),
    meta: entry.meta,
    // A token serving its last use is shown with none left, not as "unlimited".
    num_uses: Math.max(0, entry.num_uses),
    orphan: entry.parent === '',
    path: entry.path,
    policies: entry.policies,
    renewable: entry.renewable,
    ttl,
    type: entry.type,
    // Vault adds these two once the token has been renewed (from its lease's LastRenewalTime):
    // last_renewal as RFC3339, last_renewal_time as unix seconds.
    ...(entry.last_renewal ? { last_renewal: new Date(entry.last_renewal).toISOString(), last_renewal_time: Math.floor(entry.last_renewal / 1000) } : {}),
    ...(entry.period > 0 ? { period: entry.period } : {}),
    ...(entry.bound_cidrs?.length ? { bound_cidrs: entry.bound_cidrs } : {}),
    ...(entry.role ? { role: entry.role } : {}),
    // Vault shows the entity's (and its groups') policies when there are any.
    ...(identityPolicies.length > 0 ? { identity_policies: identityPolicies } : {}),
  };
}
