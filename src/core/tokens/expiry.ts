// Expiry of tokens in bulk. Most tokens that fall due have no children, no leases and no
// cubbyhole: for a page of them, revocation is the removal of their entries and indexes, and
// one transaction can carry the whole page. Which tokens have anything attached is found for
// the page at once by ordered listing (expiration/folders.ts); those, and tokens something
// else is working on, are handed back for the full one-by-one revocation (lifecycle.ts).
import type { ExpiryItem } from '../expiration/queue.js';
import type { TokenEntry, TokenStore } from './store.js';

/** What a bulk pass did: how many tokens it removed, and the items left for the full path. */
export type BulkOutcome = { revoked: number; full: ExpiryItem[] };

/** Entries read between two turns of the event loop: requests are served in between. */
const READS_PER_TURN = 64;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Revokes the due tokens of `items` that have nothing attached, in one transaction, each under
 * its lock for the whole time (so no child, renewal or use slips in between the checks and the
 * commit). `attached` answers which of the ids have leases or a cubbyhole. A failed commit
 * throws with every token intact, their queue items still there for the next pass.
 */
export async function revokeDueTokens(
  store: TokenStore, items: readonly ExpiryItem[], now: number, attached: (ids: string[]) => Promise<Set<string>>,
): Promise<BulkOutcome> {
  const full: ExpiryItem[] = [];
  const mine = new Map<string, ExpiryItem[]>();
  for (const item of items) {
    const same = mine.get(item.id);
    if (same) same.push(item);
    // A token another section holds (a renewal, a use, its parent's revocation) goes the full way.
    else if (store.busy(item.id)) full.push(item);
    else mine.set(item.id, [item]);
  }
  if (mine.size === 0) return { revoked: 0, full };
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  // Free locks are taken at once: nothing waits here, so this cannot deadlock with a section
  // that holds a parent and waits for one of these.
  const held = [...mine.keys()].map((id) => new Promise<void>((acquired) => {
    void store.exclusive(id, () => { acquired(); return released; });
  }));
  try {
    await Promise.all(held);
    const ids = [...mine.keys()];
    const [withChildren, others] = await Promise.all([store.withChildren(ids), attached(ids)]);
    const plain: TokenEntry[] = [];
    const drop: ExpiryItem[] = [];
    for (let i = 0; i < ids.length; i += READS_PER_TURN) {
      if (i > 0) await nextTurn();
      const chunk = ids.slice(i, i + READS_PER_TURN);
      const entries = await Promise.all(chunk.map((id) => (withChildren.has(id) || others.has(id) ? undefined : store.byId(id, true))));
      chunk.forEach((id, k) => {
        const queued = mine.get(id)!;
        if (withChildren.has(id) || others.has(id)) return void full.push(...queued);
        const entry = entries[k];
        drop.push(...queued);
        // Gone already, or renewed since the item was queued (its new item decides): only the
        // stale item goes.
        if (entry && entry.expire_at !== 0 && entry.expire_at <= now) plain.push(entry);
      });
    }
    if (drop.length > 0) await store.removeMany(plain, drop);
    return { revoked: plain.length, full };
  } finally {
    release();
  }
}
