// What every identity path shares: how it reaches the store, and Vault's key=value map field.
import type { Field } from '../../fields.js';
import type { IdentityStore } from '../index.js';

/** How identity paths reach the live store (built at each unseal). */
export type StoreRef = () => IdentityStore;

// Vault's TypeKVPairs: an object of strings, or a list of "key=value" strings (the CLI's
// repeated `metadata=k=v`).
function toKvPairs(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string') throw 'expected a list of key=value strings';
      const eq = item.indexOf('=');
      if (eq < 1) throw `invalid key value pair ${JSON.stringify(item)}`;
      out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }
  if (typeof raw !== 'object' || raw === null) throw 'expected an object of strings';
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw 'expected an object of strings';
    out[k] = String(v);
  }
  return out;
}

/** A key=value map field (metadata, custom_metadata). */
export const kvPairs = (description: string): Field<Record<string, string>> => ({ kind: 'map', description, parse: toKvPairs });

/** A list answer, or nothing (Vault's 404 for an empty list). */
export function listAnswer(keys: string[], info: Record<string, unknown>) {
  return keys.length > 0 ? { data: { keys, key_info: info } } : undefined;
}
