// <mount>/subkeys/<path>: the shape of a version's data with every value replaced by null,
// so a caller can see which keys exist without reading a secret.
import { definePath, field } from '../../../core/path.js';
import { versionView } from '../model.js';
import { lookupVersion } from '../secret.js';

// Vault stops descending at this depth even when no depth is asked for.
const MAX_DEPTH = 100;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `data` with leaves nulled. Objects at `depth` (1 = top level) count as leaves; so do empty
 * objects, and non-object values of any kind.
 */
export function subkeysOf(data: Record<string, unknown>, depth: number): Record<string, unknown> {
  const limit = depth > 0 ? Math.min(depth, MAX_DEPTH) : MAX_DEPTH;
  const walk = (obj: Record<string, unknown>, level: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      out[k] = isObject(v) && Object.keys(v).length > 0 && level < limit ? walk(v, level + 1) : null;
    }
    return out;
  };
  return walk(data, 1);
}

/** subkeys/<path>?version=&depth= */
export const subkeysPath = definePath({
  pattern: 'subkeys/*path',
  summary: 'Read the key structure of a secret version, with the values left out.',
  fields: {
    path: field.name({ description: 'Where the secret lives (from the URL).' }),
    version: field.int({ description: 'The version to read; 0 or absent means the current one.' }),
    depth: field.int({ description: 'Deepest level to show; objects there read as null. 0 means no limit.' }),
  },
  operations: {
    read: async ({ storage, fields, clock }) => {
      const found = await lookupVersion(storage, fields.path, fields.version, clock.now());
      if (!found.found) return undefined;
      const metadata = versionView(found.meta, found.n, found.v);
      if (found.data === null) return { data: { metadata, subkeys: null }, status: 404 };
      return { data: { metadata, subkeys: subkeysOf(found.data, fields.depth) } };
    },
  },
});
