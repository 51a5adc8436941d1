// Token roles as stored: presets that auth/token/create/:role applies. The mounted
// roles/:name paths live in src/auth/token/roles.ts; issuing from a role is core's.
import type { Storage } from '../../storage/storage.js';

/** A stored token role, in Vault's field names; TTLs in seconds. */
export type TokenRole = {
  name: string;
  allowed_policies: string[];
  disallowed_policies: string[];
  allowed_policies_glob: string[];
  disallowed_policies_glob: string[];
  orphan: boolean;
  renewable: boolean;
  path_suffix: string;
  token_period: number;
  token_explicit_max_ttl: number;
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_type: string;
  allowed_entity_aliases: string[];
  token_bound_cidrs: string[];
};

/** Storage prefix of roles, under the token store's role storage. */
export const ROLE_PREFIX = 'roles/';

/** Reads a role from the token store's role storage. */
export async function getRole(storage: Storage, name: string): Promise<TokenRole | undefined> {
  const raw = await storage.get(ROLE_PREFIX + name.toLowerCase());
  return raw ? (JSON.parse(raw.toString('utf8')) as TokenRole) : undefined;
}
