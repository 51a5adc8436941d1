// The statement lists (creation_statements, rotation_statements, …) are Vault's TypeStringSlice,
// not its comma-separated kind: a single string is one statement, so
// `GRANT SELECT, INSERT ON t TO "{{name}}"` sent as text (the Vault CLI's way) stays whole.
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
