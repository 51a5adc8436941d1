// Issuing tokens: auth/token/create, create-orphan and create/:role, with Vault's rules for
// inherited policies, orphans, TTLs and the `auth` block a new token is answered with.
import { globMatch } from '../../util/glob.js';
import { BadRequest, PermissionDenied } from '../../util/errors.js';
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
  entity_alias: string;
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
  if (creator.entry.type === 'batch') throw new BadRequest('batch tokens cannot create more tokens');
  const parent = await deps.store.asParent(creator.entry.id);
  if (!parent) throw new BadRequest(NO_PARENT);
  // Vault: any token would let a limited-use token escape its count, orphans included.
  if (parent.num_uses > 0) throw new BadRequest('restricted use token cannot generate child tokens');
  const role = opts.role;
  const batch = tokenTypeFor(role, input.type) === 'batch';
  if (batch) refuseBatchSettings(input);
  if (input.num_uses < 0) throw new BadRequest('number of uses cannot be negative');
  const explicitEntity = input.entity_alias === '' ? undefined : await entityOfAlias(deps, role, input.entity_alias);
  if (input.id !== '' && !caller.isRoot) throw new BadRequest('root or sudo privileges required to specify token id');
  if (input.no_parent && !role && !privileged) throw new BadRequest('root or sudo privileges required to create orphan token');
  if (input.period > 0 && !privileged) throw new BadRequest('root or sudo privileges required to create periodic token');
  const policies = choosePolicies(input, parent, privileged, role);
  // Vault: internal policies are never handed out, not even by root.
  const internal = policies.find((p) => NON_ASSIGNABLE.has(p));
  if (internal) throw new BadRequest(`cannot assign policy "${internal}"`);
  const orphan = role ? role.orphan || opts.orphan : opts.orphan || input.no_parent;
  const now = deps.clock.now();
  const { period, explicitMax, warnings: roleWarnings } = roleLimits(role, input);
  const isRootToken = policies.includes('root');
  if (isRootToken && !caller.isRoot) throw new BadRequest('root tokens may not be created without parent token being root');
  const requested = input.ttl || input.lease;
  const granted = isRootToken && requested === 0 && period === 0
    ? { ttl: 0, warnings: [] }
    : effectiveTtl(deps.tokenMountTtls(), { requested, period, explicitMax });
  const { ttl } = granted;
  const warnings = [...roleWarnings, ...granted.warnings];
  if (ttl === 0 && parent.expire_at !== 0) throw new BadRequest('expiring root tokens cannot create non-expiring root tokens');
  if (batch) {
    if (isRootToken) throw new BadRequest('batch tokens cannot be root tokens');
    if (input.id) throw new BadRequest('batch tokens cannot have a custom id');
  }
  // Vault: a role's networks bind its tokens; a child without a role inherits its parent's;
  // a token that never expires is not bound.
  const boundCidrs = ttl === 0 ? [] : role ? role.token_bound_cidrs : orphan ? [] : parent.bound_cidrs ?? [];
  const fields: Omit<TokenEntry, 'id' | 'accessor'> = {
    parent: orphan ? '' : parent.id, policies,
    path: role?.path_suffix ? `${opts.path}/${role.path_suffix}` : opts.path,
    meta: nonEmpty({ ...input.metadata, ...input.meta }),
    display_name: displayName(input.display_name),
    num_uses: fewerUses(role?.token_num_uses ?? 0, input.num_uses), creation_time: Math.floor(now / 1000), ttl,
    explicit_max_ttl: explicitMax, period, renewable: !batch && ttl !== 0 && input.renewable && (role?.renewable ?? true),
    // Vault: a child (not an orphan) carries its parent's entity, unless entity_alias names one.
    type: batch ? 'batch' : 'service', entity_id: explicitEntity ?? (orphan ? '' : parent.entity_id), role: role?.name ?? '', expire_at: ttl === 0 ? 0 : now + ttl * 1000, issued_at: now,
    ...(boundCidrs.length > 0 ? { bound_cidrs: boundCidrs } : {}),
  };
  const { token, entry } = batch ? await deps.store.createBatch(fields) : await createService(deps, input.id, fields);
  // Vault creates the token anyway and warns about each policy it does not know.
  for (const p of policies) {
    if (!(await deps.policyExists(p))) warnings.push(`Policy ${JSON.stringify(p)} does not exist`);
  }
  return { auth: authBlock(token, entry, now), warnings };
}

/**
 * The entity a role's `entity_alias` names: the alias on the token mount, created with its
 * entity on first use. The name must be listed (or globbed) in the role's
 * allowed_entity_aliases, compared lower-cased as Vault stores that list.
 */
async function entityOfAlias(deps: TokenDeps, role: TokenRole | undefined, alias: string): Promise<string> {
  if (!role) throw new BadRequest("'entity_alias' is only allowed in combination with token role");
  const lower = alias.toLowerCase();
  if (!role.allowed_entity_aliases.includes(lower) && !anyGlob(role.allowed_entity_aliases, lower)) {
    throw new BadRequest("invalid 'entity_alias' value");
  }
  const { entityId, disabled } = await deps.entityForAlias(alias);
  if (disabled) throw new PermissionDenied('entity from given entity alias is disabled');
  return entityId;
}

/** A service token with a chosen or a new value. */
async function createService(deps: TokenDeps, id: string, fields: Omit<TokenEntry, 'id' | 'accessor'>) {
  const token = id || newTokenValue();
  // Expired ones count until they are revoked: a new entry under the same id would inherit the
  // old one's accessor index row and queue item.
  if (id && (await deps.store.byId(deps.store.hash(id), true))) throw new BadRequest('token with this id already exists');
  return { token, entry: await deps.store.create(token, fields) };
}

/** Vault's refusals of what a batch token cannot be: limited-use, periodic, with an explicit maximum. */
function refuseBatchSettings(input: TokenRequest): void {
  const bad = input.explicit_max_ttl !== 0 ? 'explicit_max_ttl' : input.num_uses !== 0 ? 'num_uses' : input.period !== 0 ? 'period' : '';
  if (bad) throw new BadRequest(`batch tokens cannot have ${JSON.stringify(bad)} set`);
}

/** Vault's display name: `token-` plus the given name with anything but [a-zA-Z0-9-] as `-`. */
function displayName(given: string): string {
  if (given === '') return 'token';
  const full = `token-${given}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return full.endsWith('-') ? full.slice(0, -1) : full;
}

/** Policies core gives its own tokens (wrapping) that no token creation may assign. */
export const NON_ASSIGNABLE = new Set([WRAPPING_POLICY, 'control-group']);

const nonEmpty = (m: Record<string, string>) => (Object.keys(m).length > 0 ? m : null);

/** The type a role lets a request have: `default-*` fall back to that type, the others force it. */
function tokenTypeFor(role: TokenRole | undefined, asked: string): string {
  const type = !role || role.token_type === 'default-service' || role.token_type === ''
    ? asked || 'service'
    : role.token_type === 'default-batch' ? asked || 'batch' : role.token_type;
  if (type !== 'service' && type !== 'batch') throw new BadRequest("invalid 'token_type' value");
  return type;
}

/** Vault: 0 means unlimited, so the lesser of two use counts is the lesser non-zero one. */
const fewerUses = (a: number, b: number) => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

/** A role's period and explicit max TTL merged with the request's: the lesser, with Vault's warnings. */
function roleLimits(role: TokenRole | undefined, input: TokenRequest) {
  const warnings: string[] = [];
  let explicitMax = input.explicit_max_ttl;
  let period = input.period;
  if (role?.token_explicit_max_ttl) {
    if (explicitMax !== 0) warnings.push(`Explicit max TTL specified both during creation call and in role; using the lesser value of ${Math.min(explicitMax, role.token_explicit_max_ttl)} seconds`);
    explicitMax = fewerUses(explicitMax, role.token_explicit_max_ttl);
  }
  if (role?.token_period) {
    if (period !== 0) warnings.push(`Period specified both during creation call and in role; using the lesser value of ${Math.min(period, role.token_period)} seconds`);
    period = fewerUses(period, role.token_period);
  }
  return { explicitMax, period, warnings };
}

const anyGlob = (patterns: string[], value: string) => patterns.some((p) => globMatch(p, value));

/** Go's %q of a string list, as Vault's role errors print it: ["a" "b"]. */
const quoteList = (list: string[]) => `[${list.map((p) => JSON.stringify(p)).join(' ')}]`;

// Vault: without `policies` a child inherits its parent's; a non-privileged creator may only
// hand out policies it holds itself; a role with policy rules replaces both with its own.
function choosePolicies(input: TokenRequest, parent: TokenEntry, privileged: boolean, role: TokenRole | undefined): string[] {
  const noDefault = input.no_default_policy || role?.token_no_default_policy === true;
  const asked = input.policies;
  let chosen: string[];
  if (role && (role.allowed_policies.length > 0 || role.disallowed_policies.length > 0
    || role.allowed_policies_glob.length > 0 || role.disallowed_policies_glob.length > 0)) {
    chosen = rolePolicies(asked, parent, role, noDefault);
  } else if (asked.length === 0) {
    chosen = sanitisePolicies(parent.policies, false);
  } else if (!privileged) {
    const held = new Set(sanitisePolicies(parent.policies, false));
    if (sanitisePolicies(asked, false).some((p) => !held.has(p))) throw new BadRequest('child policies must be subset of parent');
    chosen = sanitisePolicies(asked, !noDefault && held.has('default'));
  } else {
    chosen = sanitisePolicies(asked, !noDefault);
  }
  return noDefault ? chosen.filter((p) => p !== 'default') : chosen;
}

// Vault: with allowed policies (or globs) a role lets anything matching them be asked for, and
// gives exactly its allowed list when nothing is asked; disallowed ones are refused either way.
function rolePolicies(asked: string[], parent: TokenEntry, role: TokenRole, noDefault: boolean): string[] {
  const addDefault = !noDefault && !role.disallowed_policies.includes('default') && !anyGlob(role.disallowed_policies_glob, 'default');
  let chosen = asked.length > 0 ? sanitisePolicies(asked, addDefault) : [];
  if (role.allowed_policies.length > 0 || role.allowed_policies_glob.length > 0) {
    const allowed = sanitisePolicies(role.allowed_policies, addDefault);
    if (chosen.length === 0) chosen = allowed;
    else {
      const globs = sanitisePolicies(role.allowed_policies_glob, false);
      if (chosen.some((p) => !allowed.includes(p) && !anyGlob(globs, p))) {
        throw new BadRequest(`token policies (${quoteList(chosen)}) must be subset of the role's allowed policies (${quoteList(allowed)}) or glob policies (${quoteList(globs)})`);
      }
    }
  } else if (chosen.length === 0) {
    chosen = sanitisePolicies(parent.policies, addDefault);
  }
  const refused = chosen.find((p) => role.disallowed_policies.includes(p) || anyGlob(role.disallowed_policies_glob, p));
  if (refused !== undefined) throw new BadRequest(`token policy ${JSON.stringify(refused)} is disallowed by this role`);
  return chosen;
}
