// A Kubernetes label selector (JSON or YAML: matchLabels and matchExpressions with In, NotIn,
// Exists, DoesNotExist), parsed once when a role is written and matched against a namespace's
// labels at login. An empty selector matches every namespace, as in Kubernetes.
import { parse as parseYaml } from 'yaml';

export type Requirement = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] };
export type LabelSelector = { matchLabels: Record<string, string>; matchExpressions: Requirement[] };

/** Thrown for a selector that does not parse or breaks Kubernetes' rules; the message says why. */
export class SelectorError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function requirementOf(raw: unknown): Requirement {
  if (!isObject(raw)) throw new SelectorError('a match expression must be an object');
  const unknown = Object.keys(raw).filter((k) => !['key', 'operator', 'values'].includes(k));
  if (unknown.length > 0) throw new SelectorError(`unknown field in a match expression: ${unknown.join(', ')}`);
  const { key, operator } = raw;
  const values = raw.values ?? [];
  if (typeof key !== 'string' || key === '') throw new SelectorError('a match expression needs a key');
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new SelectorError('values must be a list of strings');
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length === 0) throw new SelectorError(`for '${operator}' operator, values set can't be empty`);
  } else if (operator === 'Exists' || operator === 'DoesNotExist') {
    if (values.length > 0) throw new SelectorError(`values set must be empty for '${operator}' operator`);
  } else {
    throw new SelectorError(`${JSON.stringify(operator)} is not a valid label selector operator`);
  }
  return { key, operator, values };
}

/** Parses the role's selector text. */
export function parseSelector(text: string): LabelSelector {
  if (text.trim() === '') throw new SelectorError('namespace selector is empty');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    throw new SelectorError('the selector is neither JSON nor YAML');
  }
  if (!isObject(raw)) throw new SelectorError('the selector must be an object');
  const unknown = Object.keys(raw).filter((k) => k !== 'matchLabels' && k !== 'matchExpressions');
  if (unknown.length > 0) throw new SelectorError(`unknown field in the selector: ${unknown.join(', ')}`);
  const labels = raw.matchLabels ?? {};
  if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) throw new SelectorError('matchLabels must map keys to strings');
  const expressions = raw.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new SelectorError('matchExpressions must be a list');
  return { matchLabels: labels as Record<string, string>, matchExpressions: expressions.map(requirementOf) };
}

/** Whether a namespace with these labels is selected: every label and every expression must hold. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  for (const [k, v] of Object.entries(selector.matchLabels)) if (!has(k) || labels[k] !== v) return false;
  return selector.matchExpressions.every((r) => {
    switch (r.operator) {
      case 'In': return has(r.key) && r.values.includes(labels[r.key]!);
      case 'NotIn': return !has(r.key) || !r.values.includes(labels[r.key]!);
      case 'Exists': return has(r.key);
      case 'DoesNotExist': return !has(r.key);
    }
    return false;
  });
}
