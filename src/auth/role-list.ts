// LIST role/: the same on every method that keeps roles under `role/` in its mount's storage.
import { definePath, type PathDef } from '../core/path.js';

/** LIST `role/`, sorted; Vault answers an empty list with a 404. */
export function roleListPath(): PathDef {
  return definePath({
    pattern: 'role/', summary: 'List the roles.', fields: {},
    operations: { list: async (ctx) => { const keys = (await ctx.storage.list('role/')).sort(); return keys.length > 0 ? { data: { keys } } : undefined; } },
  });
}
