// Folder listing shared by every backend that can scan keys in bytewise order. It walks the
// scan and, on meeting a sub-folder, reports it once and seeks past its whole subtree, so a
// folder holding a million keys in sub-folders costs one seek per sub-folder, not a million rows.
// The memory backend hands it an iterator; SQLite, PostgreSQL and etcd hand it pages (SQLite's
// grow through a flat folder, see PageSizes), and both run the same walk below.

import { compareKeys } from './keys.js';
import type { ListOptions } from './storage.js';

/**
 * Yields stored keys in bytewise order, starting at `from` (itself included if `inclusive`).
 * It may run past the folder being listed; the caller stops it by leaving the loop.
 */
export type KeyScan = (from: string, inclusive: boolean) => Iterable<string>;

/** Up to `max` stored keys in bytewise order from `from` (itself included if `inclusive`). */
export type KeyPageScan = (from: string, inclusive: boolean, max: number) => Promise<string[]>;

// What the walk wants after one key: the next key, a seek past a sub-folder, or nothing more.
type Step = 'next' | 'done' | { seek: string };

/** The state of one listing: where to scan from, and what it has collected. */
class FolderWalk {
  readonly out: string[] = [];
  from: string;
  inclusive: boolean;
  readonly #prefix: string;
  readonly #after: string | undefined;
  readonly #limit: number;

  constructor(prefix: string, options: ListOptions | undefined) {
    this.#prefix = prefix;
    this.#after = options?.after;
    this.#limit = options?.limit ?? 0;
    this.from = this.#after === undefined ? prefix : prefix + this.#after;
    this.inclusive = this.#after === undefined;
  }

  offer(key: string): Step {
    if (!key.startsWith(this.#prefix)) return 'done';
    const rest = key.slice(this.#prefix.length);
    const slash = rest.indexOf('/');
    const child = slash < 0 ? rest : rest.slice(0, slash + 1);
    // Needed only when `after` is itself a path inside a sub-folder ('sub/x'): keys after it
    // can still belong to 'sub/', which sorts before 'sub/x'.
    if (this.#after === undefined || compareKeys(child, this.#after) > 0) {
      this.out.push(child);
      if (this.#limit > 0 && this.out.length >= this.#limit) return 'done';
    }
    if (slash < 0) return 'next';
    // '0' is the byte after '/': the first key at or past it lies beyond the sub-folder.
    return { seek: this.#prefix + rest.slice(0, slash) + '0' };
  }

  seek(to: string): void {
    this.from = to;
    this.inclusive = true;
  }
}

/** The direct children of folder `prefix` per Storage.list, read from an ordered key scan. */
export function collectChildren(prefix: string, options: ListOptions | undefined, scan: KeyScan): string[] {
  const walk = new FolderWalk(prefix, options);
  for (;;) {
    let step: Step = 'done';
    for (const key of scan(walk.from, walk.inclusive)) {
      step = walk.offer(key);
      if (step !== 'next') break;
    }
    if (typeof step === 'string') return walk.out;
    walk.seek(step.seek);
  }
}

/**
 * How many keys a page asks for: a fixed size, or a first size that doubles up to `max` while
 * pages are read to their end and starts small again after each seek past a sub-folder (whose
 * page is mostly keys the walk skips).
 */
export type PageSizes = number | { first: number; max: number };

/** collectChildren over a scan that answers a page of keys at a time. */
export async function collectChildrenPaged(
  prefix: string,
  options: ListOptions | undefined,
  scanPage: KeyPageScan,
  sizes: PageSizes = 200,
): Promise<string[]> {
  const walk = new FolderWalk(prefix, options);
  const first = typeof sizes === 'number' ? sizes : sizes.first;
  const max = typeof sizes === 'number' ? sizes : sizes.max;
  let pageSize = first;
  for (;;) {
    const page = await scanPage(walk.from, walk.inclusive, pageSize);
    let step: Step = page.length < pageSize ? 'done' : 'next';
    let last: string | undefined;
    for (const key of page) {
      last = key;
      const s = walk.offer(key);
      if (s !== 'next') { step = s; break; }
    }
    if (step === 'done') return walk.out;
    if (step === 'next') {
      // A full page read to its end: the next page starts just after its last key.
      walk.from = last as string;
      walk.inclusive = false;
      pageSize = Math.min(pageSize * 2, max);
    } else {
      walk.seek(step.seek);
      pageSize = first;
    }
  }
}
