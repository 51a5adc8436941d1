// Turning a login into a token. A login path returns a `LoginGrant`; this decides the token's
// type (the mount's tune over the role's preference), policies, TTL (the role's, capped by the
// mount's tune and the server's maximum) and binding, and issues it. Every auth method goes
// through here, so none of them computes a TTL or touches the token store itself.
import { BadRequest } from '../../util/errors.js';
import type { TokenDeps, TokenTtls } from './deps.js';
import type { AuthResult, LoginGrant } from '../request.js';
import { newTokenValue, type TokenEntry } from './store.js';
import { authBlock, sanitisePolicies, NON_ASSIGNABLE } from './issue.js';
import { effectiveTtl } from './ttl.js';
import type { TokenParams } from './params.js';

/** The mount tune values Vault accepts for `token_type`. */
export const MOUNT_TOKEN_TYPES = ['default-service', 'default-batch', 'service', 'batch'] as const;
export type MountTokenType = (typeof MOUNT_TOKEN_TYPES)[number];

/** The issuing mount as login needs it. */
/** The issuing mount as login needs it, and the login's request path (the token's `path`). */
export type LoginMount = { path: string; uuid: string; tokenType: MountTokenType; ttls: TokenTtls; requestPath: string };

/** Vault's rule: a forced mount type wins; a default-* mount yields to the role's explicit choice. */
export function chooseTokenType(mount: MountTokenType, role: TokenParams['token_type']): 'service' | 'batch' {
  if (mount === 'service' || mount === 'batch') return mount;
  if (role !== 'default') return role;
  return mount === 'default-batch' ? 'batch' : 'service';
}

/** The TTL limits of a login token: the mount's, narrowed by the role's token_max_ttl. */
export function loginLimits(mount: TokenTtls, maxTtl: number, defaultTtl = 0): TokenTtls {
  return {
    defaultTtl: defaultTtl || mount.defaultTtl,
    maxTtl: maxTtl > 0 && maxTtl < mount.maxTtl ? maxTtl : mount.maxTtl,
  };
}

/** Vault's token display name for a login: the mount path with dashes, then the method's name. */
function loginDisplayName(mountPath: string, name: string): string {
  const source = `${mountPath.replace(/\/+$/, '').replace(/\//g, '-')}-`;
  return `${source}${name}`.replace(/-+$/, '');
}

/** The login's entity, from the identity store: its id and its (and its groups') policies. */
export type LoginIdentity = { entityId: string; policies: string[] };

/** Vault's login `auth` block: `policies` is the sorted union, `identity_policies` only when some. */
function withIdentity(auth: AuthResult, identity: LoginIdentity): AuthResult {
  if (identity.policies.length === 0) return auth;
  return { ...auth, policies: [...new Set([...auth.token_policies, ...identity.policies])].sort(), identity_policies: identity.policies };
}

/** Issues the token for a login; answers the `auth` block and Vault's TTL warnings. */
export async function issueLoginToken(deps: TokenDeps, mount: LoginMount, grant: LoginGrant, identity: LoginIdentity): Promise<{ auth: AuthResult; warnings: string[] }> {
  const { params } = grant;
  const policies = sanitisePolicies(params.token_policies, !params.token_no_default_policy);
  for (const p of policies) {
    if (p === 'root') throw new BadRequest('auth methods cannot create root tokens');
    if (NON_ASSIGNABLE.has(p)) throw new BadRequest(`cannot assign policy ${JSON.stringify(p)}`);
  }
  const type = chooseTokenType(mount.tokenType, params.token_type);
  if (type === 'batch' && (params.token_period !== 0 || params.token_num_uses !== 0)) {
    throw new BadRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens or tokens with limited use count");
  }
  const { ttl, warnings } = effectiveTtl(loginLimits(mount.ttls, params.token_max_ttl), {
    requested: params.token_ttl, period: params.token_period, explicitMax: params.token_explicit_max_ttl,
  });
  const now = deps.clock.now();
  const boundCidrs = grant.boundCidrs ?? params.token_bound_cidrs;
  const fields: Omit<TokenEntry, 'id' | 'accessor'> = {
    parent: '', policies, path: mount.requestPath, meta: Object.keys(grant.metadata).length > 0 ? grant.metadata : null,
    display_name: loginDisplayName(mount.path, grant.displayName), num_uses: params.token_num_uses,
    creation_time: Math.floor(now / 1000), ttl, explicit_max_ttl: params.token_explicit_max_ttl, period: params.token_period,
    // Vault: a login token is renewable unless it never expires (a batch token never is).
    renewable: type === 'service' && ttl !== 0, type, entity_id: identity.entityId, role: '',
    expire_at: ttl === 0 ? 0 : now + ttl * 1000, issued_at: now,
    ...(boundCidrs.length > 0 ? { bound_cidrs: boundCidrs } : {}),
    login: { mount_uuid: mount.uuid, internal: grant.internal },
  };
  if (type === 'batch') {
    const { token, entry } = await deps.store.createBatch(fields);
    return { auth: withIdentity(authBlock(token, entry, now), identity), warnings };
  }
  const token = newTokenValue();
  const entry = await deps.store.create(token, fields);
  return { auth: withIdentity(authBlock(token, entry, now), identity), warnings };
}
