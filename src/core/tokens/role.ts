// Token roles as stored: presets that auth/token/create/:role applies. The mounted
// roles/:name paths live in src/auth/token/roles.ts; issuing from a role is core's.
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { invalidCidrs } from './cidr.js';

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

/** Vault's token types of a role; `default-*` let the request choose, falling back to that type. */
export const ROLE_TOKEN_TYPES = ['service', 'batch', 'default-service', 'default-batch'] as const;

// Vault's check on path_suffix, unanchored as Vault applies it.
const PATH_SUFFIX = /\w[\w-.]+\w/;

/**
 * Refuses a role Vault would refuse, and the fields no token could honour here. Runs before
 * anything is stored, so a refused role leaves nothing behind.
 */
export function validateRole(role: TokenRole): void {
  if (role.path_suffix !== '') {
    if (!PATH_SUFFIX.test(role.path_suffix)) {
      throw new BadRequest(`given role path suffix contains invalid characters; must match ${PATH_SUFFIX.source}`);
    }
    if (role.path_suffix.includes('..')) throw new BadRequest('error registering path suffix: path cannot contain parent references');
  }
  if (!(ROLE_TOKEN_TYPES as readonly string[]).includes(role.token_type)) {
    throw new BadRequest(`invalid 'token_type' value ${JSON.stringify(role.token_type)}`);
  }
  if (role.token_type === 'batch') {
    if (!role.orphan) throw new BadRequest("'token_type' cannot be 'batch' when role is set to generate non-orphan tokens");
    if (role.token_period) throw new BadRequest("'token_type' cannot be 'batch' when role is set to generate periodic tokens");
    if (role.renewable) throw new BadRequest("'token_type' cannot be 'batch' when role is set to generate renewable tokens");
    if (role.token_explicit_max_ttl) throw new BadRequest("'token_type' cannot be 'batch' when role is set to generate tokens with an explicit max TTL");
  }
  const bad = invalidCidrs(role.token_bound_cidrs);
  if (bad.length > 0) throw new BadRequest(`error parsing role fields: invalid token_bound_cidrs entry ${JSON.stringify(bad[0])}`);
}
