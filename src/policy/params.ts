// allowed_parameters / denied_parameters / required_parameters, checked the way Vault does.
import { isDeepStrictEqual } from 'node:util';

/** Constraints of the rule that applies, merged across policies. */
export type ParamRules = {
  allowed: ReadonlyMap<string, readonly unknown[]>;
  denied: ReadonlyMap<string, readonly unknown[]>;
  required: readonly string[];
};

/** Why the parameters are refused, or undefined when they pass. Never quotes a value. */
export function paramsError(rules: ParamRules, params: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of rules.required) {
    // Vault looks the lower-cased required name up in the request as sent.
    if (!Object.hasOwn(params, name.toLowerCase())) return `required parameter "${name}" missing`;
  }
  const entries = Object.entries(params);
  if (entries.length === 0) return undefined;
  if (rules.denied.has('*')) return 'all parameters are denied';
  for (const [name, value] of entries) {
    const denied = rules.denied.get(name.toLowerCase());
    if (denied !== undefined && deniedMatch(value, denied)) return `parameter "${name}" is denied`;
  }
  return allowedError(rules.allowed, entries);
}

function allowedError(allowed: ParamRules['allowed'], entries: [string, unknown][]): string | undefined {
  if (allowed.size === 0) return undefined;
  const allowAll = allowed.has('*');
  if (allowAll && allowed.size === 1) return undefined;
  for (const [name, value] of entries) {
    const values = allowed.get(name.toLowerCase());
    if (values === undefined && !allowAll) return `parameter "${name}" is not allowed`;
    if (values !== undefined && !allowedMatch(value, values)) return `value of "${name}" is not allowed`;
  }
  return undefined;
}

// Vault: a list value passes when every element is allowed; a string is also read as a
// comma-separated list, since many fields accept one. Unlike Vault, "" is not read as an
// empty list (which would pass any constraint vacuously).
function allowedMatch(value: unknown, list: readonly unknown[]): boolean {
  if (list.length === 0 || inList(value, list)) return true;
  const items = asItems(value);
  return items !== undefined && items.every((item) => inList(item, list));
}

// Vault: a list or comma-separated string is denied when any one element is.
function deniedMatch(value: unknown, list: readonly unknown[]): boolean {
  if (list.length === 0 || inList(value, list)) return true;
  const items = asItems(value);
  return items !== undefined && items.some((item) => inList(item, list));
}

function asItems(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim());
  return undefined;
}

function inList(value: unknown, list: readonly unknown[]): boolean {
  return list.some((item) => {
    if (item === null || value === null) return item === value;
    if (typeof item === 'string') return typeof value === 'string' && globMatch(item, value);
    return isDeepStrictEqual(item, value);
  });
}

/** Vault's value globbing: a leading and/or trailing "*" (a lone "*" is literal). */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern.length < 2) return pattern === value;
  const head = pattern.startsWith('*');
  const tail = pattern.endsWith('*');
  if (head && tail) return value.includes(pattern.slice(1, -1));
  if (head) return value.endsWith(pattern.slice(1));
  if (tail) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}
