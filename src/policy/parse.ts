// Policy text (HCL or JSON, as Vault's `policy` field takes either) → a validated Policy.
// Every refusal is a BadRequest reading "failed to parse policy: …", Vault's own prefix.
import { BadRequest } from '../util/errors.js';
import { ROOT_POLICY_NAME } from './builtin.js';
import { parseDurationSeconds } from '../util/duration.js';
import { decodeHcl1OrJson, Hcl1Error } from '../util/hcl1/index.js';
import { patternError } from './pattern.js';
import { templateBalanced, UNBALANCED } from './template.js';
import { CAPABILITIES, type Capability, type ParamConstraints, type PathRule, type Policy } from './types.js';

type Obj = Record<string, unknown>;

// Vault ignores a top-level `name` (the name comes from the URL) and rejects other keys.
const TOP_KEYS = new Set(['name', 'path']);
const PATH_KEYS = new Set([
  'comment', 'policy', 'capabilities', 'allowed_parameters', 'denied_parameters',
  'required_parameters', 'min_wrapping_ttl', 'max_wrapping_ttl', 'subscribe_event_types',
]);
// Enterprise-only keys: refused rather than ignored, so a policy never silently loses a restriction.
const UNSUPPORTED_KEYS = new Set(['mfa_methods', 'control_group']);
// Newer Vault capabilities for features we lack: accepted so policies load, never granted.
const IGNORED_CAPABILITIES = new Set(['subscribe', 'recover']);
// Vault's pre-0.5 `policy = "…"` shorthand, mapped to capabilities as Vault still does.
const LEGACY: Readonly<Record<string, readonly Capability[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const fail = (message: string): never => {
  throw new BadRequest(`failed to parse policy: ${message}`);
};
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates a policy's text; the name is lower-cased as Vault stores it. */
export function parsePolicy(name: string, text: string): Policy {
  const policyName = name.toLowerCase();
  if (policyName.trim() === '') throw new BadRequest('policy name must be provided');
  if (policyName === ROOT_POLICY_NAME) throw new BadRequest('cannot update root policy');
  if (text.trim() === '') throw new BadRequest("'policy' parameter not supplied or empty");
  return { name: policyName, raw: text, paths: parseDocument(decode(text)) };
}

// Vault reads policies with HCL1 (or its JSON form); a refusal names line and column.
function decode(text: string): Obj {
  try {
    return decodeHcl1OrJson(text);
  } catch (err) {
    if (err instanceof Hcl1Error) fail(err.message);
    throw err;
  }
}

function parseDocument(doc: Obj): PathRule[] {
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) fail(`invalid key "${key}"`);
  if (doc['path'] === undefined) return [];
  const paths = isObj(doc['path']) ? doc['path'] : fail('"path" must be a block labelled with a pattern');
  // Blocks keep their order in the text; repeats of one pattern are separate stanzas, which
  // the ACL then merges as Vault does.
  const rules: PathRule[] = [];
  for (const [pattern, body] of Object.entries(paths)) {
    // HCL1 gives every block as a list (repeats of one pattern share it); JSON may give one object.
    for (const stanza of Array.isArray(body) ? body : [body]) {
      rules.push(parseStanza(pattern, isObj(stanza) ? stanza : fail(`path "${pattern}": expected a block`)));
    }
  }
  return rules;
}

function parseStanza(pattern: string, body: Obj): PathRule {
  const where = `path "${pattern}"`;
  for (const key of Object.keys(body)) {
    if (UNSUPPORTED_KEYS.has(key)) fail(`${where}: "${key}" is not supported`);
    if (!PATH_KEYS.has(key)) fail(`${where}: invalid key "${key}"`);
  }
  // Vault strips a leading "/": policy paths start after the "/v1/" of the API path.
  const path = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  if (!templateBalanced(path)) fail(`failed to validate policy templating: ${UNBALANCED}`);
  // A templated pattern is checked with its directives stood in for by one plain segment.
  const bad = patternError(path.replace(/\{\{[^}]*\}\}/g, 'x'));
  if (bad !== undefined) fail(`${where}: ${bad}`);
  const capabilities = parseCapabilities(where, body['capabilities'], body['policy']);
  const rule: PathRule = {
    path,
    capabilities,
    allowedParameters: paramMap(where, 'allowed_parameters', body['allowed_parameters']),
    deniedParameters: paramMap(where, 'denied_parameters', body['denied_parameters']),
    requiredParameters: requiredList(where, body['required_parameters']),
    minWrappingTtl: ttl('min_wrapping_ttl', body['min_wrapping_ttl']),
    maxWrappingTtl: ttl('max_wrapping_ttl', body['max_wrapping_ttl']),
  };
  if (rule.minWrappingTtl > 0 && rule.maxWrappingTtl > 0 && rule.maxWrappingTtl < rule.minWrappingTtl) {
    fail('max_wrapping_ttl cannot be less than min_wrapping_ttl');
  }
  // Vault: a stanza that denies keeps nothing but the deny.
  if (capabilities.includes('deny')) {
    return { ...rule, allowedParameters: {}, deniedParameters: {}, requiredParameters: [] };
  }
  return rule;
}

function parseCapabilities(where: string, listed: unknown, shorthand: unknown): Capability[] {
  const names = [...stringList(where, 'capabilities', listed), ...legacyCapabilities(where, shorthand)];
  const granted = new Set<Capability>();
  for (const name of names) {
    if (IGNORED_CAPABILITIES.has(name)) continue;
    if (!(CAPABILITIES as readonly string[]).includes(name)) fail(`${where}: invalid capability "${name}"`);
    if (name === 'deny') return ['deny']; // Vault: deny replaces everything else in the stanza
    granted.add(name as Capability);
  }
  return [...granted];
}

function legacyCapabilities(where: string, shorthand: unknown): readonly Capability[] {
  if (shorthand === undefined) return [];
  const mapped = typeof shorthand === 'string' && Object.hasOwn(LEGACY, shorthand) ? LEGACY[shorthand] : undefined;
  return mapped ?? fail(`${where}: invalid policy ${JSON.stringify(shorthand)}`);
}

function stringList(where: string, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return fail(`${where}: ${field} must be a list of strings`);
  }
  return value as string[];
}

function paramMap(where: string, field: string, value: unknown): ParamConstraints {
  if (value === undefined) return {};
  // HCL1 gives an object (`allowed_parameters { bar = [] }` or `= { … }`) as a list of
  // bodies, one per occurrence; like Vault's decoder, repeated occurrences add up.
  const maps = Array.isArray(value) ? value : [value];
  if (maps.length === 0 || !maps.every(isObj)) return fail(`${where}: ${field} must be a map of parameter names to lists`);
  const entries = maps.flatMap((map) => Object.entries(map)).map(([key, values]): [string, unknown[]] => {
    checkParamKey(`${where}: ${field}`, key, true);
    if (!Array.isArray(values)) fail(`${where}: ${field}: the value for "${key}" must be a list`);
    return [key.toLowerCase(), values as unknown[]]; // Vault matches parameter names case-insensitively
  });
  return Object.fromEntries(entries); // fromEntries: a "__proto__" key stays an own property
}

function requiredList(where: string, value: unknown): string[] {
  const names = stringList(where, 'required_parameters', value);
  for (const name of names) checkParamKey(`${where}: required_parameters`, name, false);
  return names;
}

// Vault: "*" is the only wildcard key. Its JSON-pointer keys ("/a/b") are not implemented here,
// so they are refused rather than taken as a literal name that would never match.
function checkParamKey(where: string, key: string, wildcardAllowed: boolean): void {
  if (key.startsWith('/')) fail(`${where}: parameter key "${key}": JSON pointer keys are not supported`);
  if (!key.includes('*')) return;
  if (!wildcardAllowed) fail(`${where}: parameter key "${key}": wildcard is not permitted here`);
  if (key !== '*') fail(`${where}: parameter key "${key}" cannot contain non-tail wildcards`);
}

function ttl(field: string, value: unknown): number {
  if (value === undefined) return 0;
  const seconds = parseDurationSeconds(value);
  return seconds ?? fail(`error parsing ${field}: invalid duration ${JSON.stringify(value)}`);
}
