// Folder listing shared by every backend that can scan keys in bytewise order. It walks the
// scan and, on meeting a sub-folder, reports it once and seeks past its whole subtree, so a
// folder holding a million keys in sub-folders costs one seek per sub-folder, not a million rows.

import { compareKeys } from './keys.js';
import type { ListOptions } from './storage.js';

/**
 * Yields stored keys in bytewise order, starting at `from` (itself included if `inclusive`).
 * It may run past the folder being listed; the caller stops it by leaving the loop.
 */
export type KeyScan = (from: string, inclusive: boolean) => Iterable<string>;

/** The direct children of folder `prefix` per Storage.list, read from an ordered key scan. */
export function collectChildren(prefix: string, options: ListOptions | undefined, scan: KeyScan): string[] {
  const after = options?.after;
  const limit = options?.limit ?? 0;
  const out: string[] = [];
  let from = after === undefined ? prefix : prefix + after;
  let inclusive = after === undefined;
  for (;;) {
    let skipTo: string | undefined;
    for (const key of scan(from, inclusive)) {
      if (!key.startsWith(prefix)) return out;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      const child = slash < 0 ? rest : rest.slice(0, slash + 1);
      // Needed only when `after` is itself a path inside a sub-folder ('sub/x'): keys after it
      // can still belong to 'sub/', which sorts before 'sub/x'.
      if (after === undefined || compareKeys(child, after) > 0) {
        out.push(child);
        if (limit > 0 && out.length >= limit) return out;
      }
      if (slash >= 0) {
        // '0' is the byte after '/': the first key at or past it lies beyond the sub-folder.
        skipTo = prefix + rest.slice(0, slash) + '0';
        break;
      }
    }
    if (skipTo === undefined) return out;
    from = skipTo;
    inclusive = true;
  }
}
