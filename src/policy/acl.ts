// A token's policies compiled into one ACL, answering the way Vault's does:
// - an exact pattern beats any glob; otherwise the longest `*` prefix and every matching `+`
//   pattern compete under Vault's documented priority order, and ONE rule applies;
// - the same pattern in several stanzas or policies is merged: capabilities are the union,
//   `deny` anywhere in them wins, parameter constraints add up, wrapping TTLs take the lowest;
// - a `root` policy grants everything, `sudo` included.
import { ROOT_POLICY_NAME } from './builtin.js';
import { paramsError } from './params.js';
import { classifyPattern, comparePriority, patternError, segmentsMatch, type Pattern } from './pattern.js';
import { renderPath, type TemplateIdentity } from './template.js';
import type {
  Acl, AclDecision, AclRequest, Capability, Operation, ParamConstraints, PathRule, Policy,
} from './types.js';

export { DEFAULT_POLICY_NAME, ROOT_POLICY_NAME, defaultPolicyText } from './builtin.js';

type Perms = {
  caps: Set<Capability>;
  allowed: Map<string, unknown[]>;
  denied: Map<string, unknown[]>;
  required: string[];
  minWrap: number;
  maxWrap: number;
};
type Entry = { pattern: Pattern; perms: Perms };
// Exact and segment patterns are keyed as written; prefix patterns by the part before the "*".
// `prefixLengths` holds the lengths of the prefix keys, longest first, so a lookup tries only
// the lengths a rule has instead of every slice of the path.
type Rules = { exact: Map<string, Entry>; prefix: Map<string, Entry>; segment: Map<string, Entry>; prefixLengths: number[] };

// Vault checks parameters only on operations that carry them.
const PARAM_OPERATIONS: ReadonlySet<Operation> = new Set(['read', 'create', 'update', 'patch']);

/** The policy that stands for `root`: its name alone grants everything. */
export const rootPolicy: Policy = { name: ROOT_POLICY_NAME, raw: '', paths: [] };

const rootAcl: Acl = {
  root: true,
  allowed: () => ({ allowed: true, rootPrivs: true }),
  capabilities: () => ['root'],
  grantsUnder: () => true,
};

/**
 * Compiles a token's policies into one ACL (compile once, check many requests). Templated
 * paths are filled from `identity`; without one (a token with no entity) they are left out.
 */
export function compileAcl(policies: readonly Policy[], identity?: TemplateIdentity): Acl {
  if (policies.some((p) => p.name === ROOT_POLICY_NAME)) return rootAcl;
  const rules: Rules = { exact: new Map(), prefix: new Map(), segment: new Map(), prefixLengths: [] };
  for (const policy of policies) {
    for (const rule of policy.paths) {
      if (!isTemplated(rule.path)) {
        addRule(rules, rule);
        continue;
      }
      // Vault: a path whose template cannot be filled is skipped; the rest of the policy applies.
      // A filled-in value that makes the pattern unusable (a stray "+*") is skipped likewise.
      for (const path of renderPath(rule.path, identity) ?? []) {
        if (patternError(path) === undefined) addRule(rules, { ...rule, path });
      }
    }
  }
  rules.prefixLengths = [...new Set([...rules.prefix.keys()].map((base) => base.length))].sort((a, b) => b - a);
  return {
    root: false,
    allowed: (request) => decide(rules, request),
    // Vault answers sys/capabilities with the lookup a `list` makes (trailing "/" fallbacks included).
    capabilities: (path) => capabilityNames(lookup(rules, path, true)),
    grantsUnder: (prefix) => grantsUnder(rules, prefix),
  };
}

/** Whether a policy path holds identity template directives. */
export const isTemplated = (path: string): boolean => path.includes('{{');

function addRule(rules: Rules, rule: PathRule): void {
  const pattern = classifyPattern(rule.path);
  const table = rules[pattern.kind];
  const id = pattern.kind === 'prefix' ? pattern.base : pattern.key;
  let entry = table.get(id);
  if (entry === undefined) {
    const perms: Perms = { caps: new Set(), allowed: new Map(), denied: new Map(), required: [], minWrap: 0, maxWrap: 0 };
    entry = { pattern, perms };
    table.set(id, entry);
  }
  mergeInto(entry.perms, rule);
}

function mergeInto(perms: Perms, rule: PathRule): void {
  if (perms.caps.has('deny')) return;
  if (rule.capabilities.includes('deny')) {
    perms.caps = new Set(['deny']);
    perms.allowed.clear();
    perms.denied.clear();
    return;
  }
  for (const cap of rule.capabilities) perms.caps.add(cap);
  // Vault keeps the lowest TTL bound set anywhere: tokens live as briefly as any policy wants.
  perms.minWrap = lowestSet(perms.minWrap, rule.minWrappingTtl);
  perms.maxWrap = lowestSet(perms.maxWrap, rule.maxWrappingTtl);
  mergeParams(perms.allowed, rule.allowedParameters);
  mergeParams(perms.denied, rule.deniedParameters);
  for (const name of rule.requiredParameters) if (!perms.required.includes(name)) perms.required.push(name);
}

const lowestSet = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

// Vault: an empty list ("any value") for a name absorbs other lists for it; otherwise lists add up.
function mergeParams(into: Map<string, unknown[]>, from: ParamConstraints): void {
  for (const [name, values] of Object.entries(from)) {
    const existing = into.get(name);
    into.set(name, values.length === 0 || existing?.length === 0 ? [] : [...(existing ?? []), ...values]);
  }
}

function lookup(rules: Rules, rawPath: string, isList: boolean): Perms | undefined {
  const path = rawPath.startsWith('/') ? rawPath.replace(/^\/+/, '') : rawPath;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  // Vault: a list of "foo/" is also governed by an exact rule for "foo", and tries the
  // globs against "foo" before "foo/".
  const exact = rules.exact.get(path) ?? (isList ? rules.exact.get(trimmed) : undefined);
  if (exact !== undefined) return exact.perms;
  if (isList && trimmed !== path) {
    const found = bestNonExact(rules, trimmed);
    if (found !== undefined) return found;
  }
  return bestNonExact(rules, path);
}

// Only the longest matching prefix rule can apply (it outranks shorter ones by the first
// criterion); it then competes with every matching "+" pattern.
function bestNonExact(rules: Rules, path: string): Perms | undefined {
  let best: Entry | undefined;
  for (const length of rules.prefixLengths) {
    if (length > path.length) continue;
    best = rules.prefix.get(length === path.length ? path : path.slice(0, length));
    if (best !== undefined) break;
  }
  if (rules.segment.size === 0) return best?.perms;
  const parts = path.split('/');
  for (const entry of rules.segment.values()) {
    if (!segmentsMatch(entry.pattern, parts)) continue;
    if (best === undefined || comparePriority(entry.pattern, best.pattern) > 0) best = entry;
  }
  return best?.perms;
}

function decide(rules: Rules, request: AclRequest): AclDecision {
  const perms = lookup(rules, request.path, request.operation === 'list');
  if (perms === undefined) return { allowed: false, rootPrivs: false, reason: 'no policy grants access to this path' };
  // Vault reports sudo from the applying rule even when the request itself is refused.
  const rootPrivs = perms.caps.has('sudo');
  const refuse = (reason: string): AclDecision => ({ allowed: false, rootPrivs, reason });
  if (perms.caps.has('deny')) return refuse('explicitly denied by policy');
  if (!perms.caps.has(request.operation)) return refuse(`policy lacks the "${request.operation}" capability`);
  const wrapping = wrappingError(perms, request.wrapTtlSeconds);
  if (wrapping !== undefined) return refuse(wrapping);
  if (PARAM_OPERATIONS.has(request.operation) && request.checkParameters !== false) {
    const params = paramsError(perms, request.params ?? {});
    if (params !== undefined) return refuse(params);
  }
  return { allowed: true, rootPrivs };
}

// Vault: either bound makes wrapping mandatory on the path (the docs: a 1s minimum
// "effectively makes response wrapping mandatory"; Vault's check treats a maximum alike).
function wrappingError(perms: Perms, ttl: number | undefined): string | undefined {
  if (perms.maxWrap > 0 && (ttl === undefined || ttl > perms.maxWrap)) {
    return ttl === undefined ? 'response wrapping is required' : 'wrapping TTL exceeds max_wrapping_ttl';
  }
  if (perms.minWrap > 0 && (ttl === undefined || ttl < perms.minWrap)) {
    return ttl === undefined ? 'response wrapping is required' : 'wrapping TTL is below min_wrapping_ttl';
  }
  // Possible only after merging stanzas: each stanza was checked when parsed.
  if (perms.minWrap > 0 && perms.maxWrap > 0 && perms.maxWrap < perms.minWrap) {
    return 'merged max_wrapping_ttl is below min_wrapping_ttl';
  }
  return undefined;
}

// Vault's mount-access check: the path itself, or any rule that reaches below it. A policy for
// `secret/data/app` must let its holder discover the `secret/` mount.
function grantsUnder(rules: Rules, rawPrefix: string): boolean {
  const prefix = rawPrefix.replace(/^\/+/, '');
  const grants = (e: Entry) => !e.perms.caps.has('deny') && e.perms.caps.size > 0;
  if (capabilityNames(lookup(rules, prefix, true))[0] !== 'deny') return true;
  for (const e of [...rules.exact.values(), ...rules.prefix.values()]) {
    if (e.pattern.base.startsWith(prefix) && grants(e)) return true;
  }
  const want = prefix.split('/').filter((s) => s !== '');
  for (const e of rules.segment.values()) {
    const reaches = want.every((part, i) => {
      const seg = e.pattern.segments[i];
      return seg === undefined ? e.pattern.isPrefix : seg === '+' || seg === part || (i === want.length - 1 && seg.startsWith(part));
    });
    if (reaches && grants(e)) return true;
  }
  return false;
}

function capabilityNames(perms: Perms | undefined): string[] {
  if (perms === undefined || perms.caps.has('deny') || perms.caps.size === 0) return ['deny'];
  return [...perms.caps].sort();
}
