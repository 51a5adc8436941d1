// Which of many names have a sub-folder under a prefix, found with ordered listing instead of
// one probe each: a listing that starts after a name answers the first folder at or past it,
// so every name below that folder is known to have none. A page of due tokens against a
// prefix holding few folders (children, leases, cubbyholes: most tokens have none) costs a
// listing or two, and never more listings than names.
import type { Storage } from '../../storage/storage.js';

/** The names among `names` that are a sub-folder of `prefix` ('' or ending in '/') in `storage`. */
export async function namesWithFolders(storage: Storage, prefix: string, names: readonly string[]): Promise<Set<string>> {
  // Default sort: UTF-16 code-unit order, the same as `bytewise`, without a call per comparison.
  const sorted = [...new Set(names)].sort();
  const found = new Set<string>();
  let i = 0;
  while (i < sorted.length) {
    // `name/` sorts right after `name`: the first child after the name is its folder if it has one.
    const [next] = await storage.list(prefix, { after: sorted[i]!, limit: 1 });
    if (next === undefined) break;
    const folder = next.endsWith('/') ? next.slice(0, -1) : undefined;
    const first = folder ?? next;
    while (i < sorted.length && bytewise(sorted[i]!, first) < 0) i++;
    if (folder !== undefined && sorted[i] === folder) {
      found.add(folder);
      i++;
    }
  }
  return found;
}

/** Storage order (bytewise; for the ASCII names used here the same as code-unit order). */
const bytewise = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
