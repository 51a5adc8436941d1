// Two of Vault's field types the engine's fields use, parsed as Vault's framework parses them.
// The statement lists (creation_statements, rotation_statements, …) are TypeStringSlice, not
// the comma-separated kind: a single string is one statement, so
// `GRANT SELECT, INSERT ON t TO "{{name}}"` sent as text (the Vault CLI's way) stays whole.
// credential_config is TypeKVPairs: an object, or "key=value" strings (the CLI's
// `credential_config=password_policy=strong`).
import type { Field } from '../../core/fields.js';

function toStatements(raw: unknown): string[] {
  if (Array.isArray(raw)) {
    return raw.map((s) => {
      if (typeof s === 'string') return s;
      if (typeof s === 'number' || typeof s === 'boolean') return String(s);
      throw 'expected a list of statements';
    });
  }
  if (typeof raw === 'string') return raw === '' ? [] : [raw];
  throw 'expected a statement or a list of statements';
}

/** A list of SQL statements, defaulting to none. */
export const statementsField = (description: string): Field<string[]> => ({ kind: 'strings', description, default: [], parse: toStatements });

function toKeyValues(raw: unknown): Record<string, string> {
  const pairs = typeof raw === 'string' ? (raw === '' ? [] : [raw]) : raw;
  if (Array.isArray(pairs)) {
    const out: Record<string, string> = {};
    for (const pair of pairs) {
      const at = typeof pair === 'string' ? pair.indexOf('=') : -1;
      if (at < 1) throw 'expected key=value pairs';
      out[(pair as string).slice(0, at).trim()] = (pair as string).slice(at + 1).trim();
    }
    return out;
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object') throw 'expected an object or key=value pairs';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'object' && v !== null) throw `expected a string for "${k}"`;
    out[k] = String(v);
  }
  return out;
}

/** A map of strings: an object, or "key=value" strings. */
export const keyValuesField = (description: string): Field<Record<string, string>> => ({ kind: 'map', description, default: {}, parse: toKeyValues });
