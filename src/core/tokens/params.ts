// The token parameters every auth method shares (Vault's tokenutil set): declared once, parsed
// and validated once, shown once. A method spreads `tokenFields` into its role or user path,
// stores a `TokenParams` with its entry, and hands it back in its login grant.
import { BadRequest } from '../../util/errors.js';
import { CidrError, parseCidrs } from './cidr-rules.js';
import { field } from '../fields.js';

/** What a role or user says about the tokens it logs in to; TTLs in seconds. */
export type TokenParams = {
  token_bound_cidrs: string[];
  token_explicit_max_ttl: number;
  token_max_ttl: number;
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_period: number;
  token_policies: string[];
  /** 'default', 'service' or 'batch': the mount's tune decides what 'default' means. */
  token_type: 'default' | 'service' | 'batch';
  token_ttl: number;
};

/** What a login token's renewal gets from the role or user now (Vault's renew handlers re-read it). */
export function renewalOf(token: TokenParams): { ttl: number; maxTtl: number; period: number } {
  return { ttl: token.token_ttl, maxTtl: token.token_max_ttl, period: token.token_period };
}

/** A role or user with no token settings. */
export const NO_TOKEN_PARAMS: TokenParams = {
  token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 0, token_no_default_policy: false,
  token_num_uses: 0, token_period: 0, token_policies: [], token_type: 'default', token_ttl: 0,
};

/** The fields, with Vault's names; `policies` is the legacy spelling of `token_policies`. */
export const tokenFields = {
  token_bound_cidrs: field.strings({ description: 'CIDR blocks a token from this login may be used from.' }),
  token_explicit_max_ttl: field.duration({ description: 'Hard cap on the token\'s lifetime, renewals included.' }),
  token_max_ttl: field.duration({ description: 'Longest lifetime of the token through renewals.' }),
  token_no_default_policy: field.bool({ description: 'Do not add the default policy.' }),
  token_num_uses: field.int({ description: 'Uses of the token; 0 means unlimited.' }),
  token_period: field.duration({ description: 'Make the token periodic with this period.' }),
  token_policies: field.strings({ description: 'Policies of the token.' }),
  token_type: field.string({ description: 'service, batch or default (the mount\'s tuned type).' }),
  token_ttl: field.duration({ description: 'Initial TTL of the token.' }),
  policies: field.strings({ description: 'Deprecated: use token_policies. Ignored when token_policies is sent.' }),
};

/** The subset of a path's parsed values these fields produce. */
type TokenFieldValues = { [K in keyof typeof tokenFields]: ReturnType<(typeof tokenFields)[K]['parse']> };

/**
 * Applies the sent token fields to `current` (omitted ones keep their value) and checks the
 * combination as Vault does; throws BadRequest with Vault's text. Legacy spellings a method
 * has (`period`, `ttl`, `bound_cidrs`…) are mapped by the caller into `legacy` first.
 */
export function applyTokenFields(current: TokenParams, values: TokenFieldValues, sent: Set<string>, legacy: Partial<TokenParams> = {}): TokenParams {
  const next: TokenParams = { ...current, ...legacy };
  const take = <K extends keyof TokenParams>(k: K, v: TokenParams[K]) => { if (sent.has(k)) next[k] = v; };
  if (sent.has('token_bound_cidrs')) {
    try {
      next.token_bound_cidrs = parseCidrs(values.token_bound_cidrs);
    } catch (err) {
      if (err instanceof CidrError) throw new BadRequest(`failed to parse token_bound_cidrs: ${err.message}`);
      throw err;
    }
  }
  take('token_explicit_max_ttl', values.token_explicit_max_ttl);
  take('token_max_ttl', values.token_max_ttl);
  take('token_no_default_policy', values.token_no_default_policy);
  take('token_num_uses', values.token_num_uses);
  take('token_period', values.token_period);
  if (sent.has('token_policies')) next.token_policies = cleanPolicies(values.token_policies);
  else if (sent.has('policies')) next.token_policies = cleanPolicies(values.policies);
  if (sent.has('token_type')) next.token_type = parseTokenType(values.token_type);
  take('token_ttl', values.token_ttl);
  if (next.token_num_uses < 0) throw new BadRequest("'token_num_uses' cannot be negative");
  if (next.token_type === 'batch') {
    if (next.token_period !== 0) throw new BadRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens");
    if (next.token_num_uses !== 0) throw new BadRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count");
  }
  if (next.token_ttl > 0 && next.token_max_ttl > 0 && next.token_ttl > next.token_max_ttl) {
    throw new BadRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
  }
  return next;
}

function parseTokenType(value: string): TokenParams['token_type'] {
  if (value === '' || value === 'default') return 'default';
  if (value === 'service' || value === 'batch') return value;
  throw new BadRequest(`invalid 'token_type' value ${JSON.stringify(value)}`);
}

// Vault keeps role policies as given, minus blanks and duplicates; lower-casing happens at login.
const cleanPolicies = (list: string[]) => [...new Set(list.map((p) => p.trim()).filter((p) => p !== ''))];

/** The token settings as a read of a role or user shows them (Vault's JSON types). */
export function tokenData(params: TokenParams): Record<string, unknown> {
  return {
    token_bound_cidrs: params.token_bound_cidrs,
    token_explicit_max_ttl: params.token_explicit_max_ttl,
    token_max_ttl: params.token_max_ttl,
    token_no_default_policy: params.token_no_default_policy,
    token_num_uses: params.token_num_uses,
    token_period: params.token_period,
    token_policies: params.token_policies,
    token_type: params.token_type,
    token_ttl: params.token_ttl,
  };
}

/** Vault's EquivalentPolicies: the same set once `default` is ignored (renewals re-check this). */
export function samePolicies(configured: string[], held: string[]): boolean {
  const a = new Set(configured.map((p) => p.toLowerCase()).filter((p) => p !== 'default'));
  const b = new Set(held.map((p) => p.toLowerCase()).filter((p) => p !== 'default'));
  return a.size === b.size && [...a].every((p) => b.has(p));
}
