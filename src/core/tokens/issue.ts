// Issuing tokens: auth/token/create, create-orphan and create/:role, with Vault's rules for
// inherited policies, orphans, TTLs and the `auth` block a new token is answered with.
import { BadRequest } from '../../util/errors.js';
import type { TokenDeps } from './deps.js';
import type { AuthResult, Caller } from '../request.js';
import { newTokenValue, NO_PARENT, type TokenEntry } from './store.js';
import type { TokenRole } from './role.js';
import { effectiveTtl } from './ttl.js';
import { WRAPPING_POLICY } from '../wrapping.js';

/** What a token creation request asks for (the fields of auth/token/create*). */
export type TokenRequest = {
  id: string; policies: string[]; meta: Record<string, string>; metadata: Record<string, string>;
  no_parent: boolean; no_default_policy: boolean; renewable: boolean; ttl: number; lease: number;
  type: string; explicit_max_ttl: number; display_name: string; num_uses: number; period: number;
};

/** Vault's sanitised policy list: lower-case, unique, sorted, `default` unless refused. */
export function sanitisePolicies(policies: string[], addDefault: boolean): string[] {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
  if (addDefault && !set.has('root')) set.add('default');
  return [...set].sort();
}

/** The `auth` block Vault answers a new or renewed token with. */
export function authBlock(token: string, entry: TokenEntry, now: number): AuthResult {
  return {
    client_token: token,
    accessor: entry.accessor,
    policies: entry.policies,
    token_policies: entry.policies,
    metadata: entry.meta,
    lease_duration: entry.expire_at === 0 ? 0 : Math.max(0, Math.round((entry.expire_at - now) / 1000)),
    renewable: entry.renewable,
    entity_id: entry.entity_id,
    token_type: entry.type,
    orphan: entry.parent === '',
    mfa_requirement: null,
    num_uses: entry.num_uses,
  };
}

/** What the creator brings: who they are and whether they hold sudo on the create path. */
export type Creator = { caller: Caller; entry: TokenEntry; sudo: boolean };

/** Creates a token for `creator` from the request; `orphan` for create-orphan. */
export async function issueToken(deps: TokenDeps, creator: Creator, input: TokenRequest, opts: { orphan: boolean; role?: TokenRole; path: string }) {
  const { caller, sudo } = creator;
  const privileged = caller.isRoot || sudo;
  // Every creation path (child, orphan, role) starts from the creator as a live parent: one
  // serving its last use (this very request spent it) is revocation pending, not a parent.
  const parent = await deps.store.asParent(creator.entry.id);
  if (!parent) throw new BadRequest(NO_PARENT);
  // Vault: any token would let a limited-use token escape its count, orphans included.
  if (parent.num_uses > 0) throw new BadRequest('restricted use token cannot generate child tokens');
  if (input.type !== '' && input.type !== 'service') throw new BadRequest('batch tokens are not supported');
  if (input.id !== '' && !caller.isRoot) throw new BadRequest('root or sudo privileges required to specify token id');
  if (input.no_parent && !privileged) throw new BadRequest('root or sudo privileges required to create orphan token');
  if (input.period > 0 && !privileged) throw new BadRequest('root or sudo privileges required to create periodic token');
  if (input.num_uses < 0) throw new BadRequest('number of uses cannot be negative');
  const role = opts.role;
  const policies = choosePolicies(input, parent, privileged, role);
  // Vault: internal policies are never handed out, not even by root.
  const internal = policies.find((p) => NON_ASSIGNABLE.has(p));
  if (internal) throw new BadRequest(`cannot assign policy "${internal}"`);
  const orphan = opts.orphan || input.no_parent || role?.orphan === true;
  const now = deps.clock.now();
  const period = role?.token_period || input.period;
  const explicitMax = role?.token_explicit_max_ttl || input.explicit_max_ttl;
  const isRootToken = policies.includes('root');
  if (isRootToken && !caller.isRoot) throw new BadRequest('root tokens may not be created without parent token being root');
  const requested = input.ttl || input.lease;
  const { ttl, warnings } = isRootToken && requested === 0 && period === 0
    ? { ttl: 0, warnings: [] }
    : effectiveTtl(deps.tokenMountTtls(), { requested, period, explicitMax });
  if (ttl === 0 && parent.expire_at !== 0) throw new BadRequest('expiring root tokens cannot create non-expiring root tokens');
  const token = input.id || newTokenValue();
  if (input.id && (await deps.store.lookup(input.id))) throw new BadRequest('token with this id already exists');
  const entry = await deps.store.create(token, {
    parent: orphan ? '' : parent.id, policies, path: opts.path, meta: nonEmpty({ ...input.metadata, ...input.meta }),
    display_name: displayName(input.display_name),
    num_uses: role?.token_num_uses || input.num_uses, creation_time: Math.floor(now / 1000), ttl,
    explicit_max_ttl: explicitMax, period, renewable: ttl !== 0 && (role ? role.renewable : input.renewable),
    type: 'service', entity_id: '', role: role?.name ?? '', expire_at: ttl === 0 ? 0 : now + ttl * 1000, issued_at: now,
  });
  // Vault creates the token anyway and warns about each policy it does not know.
  for (const p of policies) {
    if (!(await deps.policyExists(p))) warnings.push(`Policy ${JSON.stringify(p)} does not exist`);
  }
  return { auth: authBlock(token, entry, now), warnings };
}

/** Vault's display name: `token-` plus the given name with anything but [a-zA-Z0-9-] as `-`. */
function displayName(given: string): string {
  if (given === '') return 'token';
  const full = `token-${given}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return full.endsWith('-') ? full.slice(0, -1) : full;
}

/** Policies core gives its own tokens (wrapping) that no token creation may assign. */
const NON_ASSIGNABLE = new Set([WRAPPING_POLICY, 'control-group']);

const nonEmpty = (m: Record<string, string>) => (Object.keys(m).length > 0 ? m : null);

// Vault: without `policies` a child inherits its parent's; a non-privileged creator may only
// hand out policies it holds itself; a role narrows what may be asked for.
function choosePolicies(input: TokenRequest, parent: TokenEntry, privileged: boolean, role: TokenRole | undefined): string[] {
  const noDefault = input.no_default_policy || role?.token_no_default_policy === true;
  const asked = input.policies.length > 0 ? input.policies : undefined;
  if (role) return rolePolicies(asked, parent, role, noDefault);
  if (!asked) return sanitisePolicies(parent.policies.filter((p) => !noDefault || p !== 'default'), false);
  const wanted = sanitisePolicies(asked, !noDefault);
  if (!privileged) {
    const held = new Set(parent.policies);
    if (wanted.some((p) => p !== 'default' && !held.has(p))) throw new BadRequest('child policies must be subset of parent');
  }
  return wanted;
}

function rolePolicies(asked: string[] | undefined, parent: TokenEntry, role: TokenRole, noDefault: boolean): string[] {
  const allowed = role.allowed_policies.map((p) => p.toLowerCase());
  const disallowed = new Set(role.disallowed_policies.map((p) => p.toLowerCase()));
  const base = asked ?? (allowed.length > 0 ? allowed : parent.policies);
  const wanted = sanitisePolicies(base, !noDefault);
  for (const p of wanted) {
    if (disallowed.has(p)) throw new BadRequest(`token policies (${wanted.join(', ')}) contains disallowed policies (${p})`);
    if (allowed.length > 0 && p !== 'default' && !allowed.includes(p)) {
      throw new BadRequest(`token policies (${wanted.join(', ')}) must be subset of the role's allowed policies (${allowed.join(', ')})`);
    }
  }
  if (allowed.length === 0 && asked && !parent.policies.includes('root')) {
    const held = new Set(parent.policies);
    if (wanted.some((p) => p !== 'default' && !held.has(p))) throw new BadRequest('child policies must be subset of parent');
  }
  return wanted;
}
