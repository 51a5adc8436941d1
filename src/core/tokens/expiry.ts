// Expiry of tokens in bulk. Most tokens that fall due have no children, no leases and no
// cubbyhole: for a batch of them, revocation is the removal of their entries and indexes, and
// one transaction can carry the whole batch. Which tokens have anything attached is found 512
// at a time by ordered listing (expiration/folders.ts); those, and tokens something else is
// working on, are handed back for the full one-by-one revocation (lifecycle.ts).
import type { ExpiryItem } from '../expiration/queue.js';
import type { TokenEntry, TokenRemoval, TokenStore } from './store.js';

/** What a bulk pass did: how many tokens it removed, and the items left for the full path. */
export type BulkOutcome = { revoked: number; full: ExpiryItem[] };

/** Entries read between two turns of the event loop: requests are served in between. */
const READS_PER_TURN = 64;
/** Tokens checked (locks, children, leases, cubbyhole) between two turns of the event loop. */
const CHECKS_PER_TURN = 512;

const isDue = (entry: TokenEntry, now: number) => entry.expire_at !== 0 && entry.expire_at <= now;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Revokes the due tokens of `items` that have nothing attached, in one transaction, each under
 * its lock for the whole time (so no child, renewal or use slips in between the checks and the
 * commit). `attached` answers which of the ids have leases or a cubbyhole. A failed commit
 * throws with every token intact, their queue items still there for the next pass.
 */
export async function revokeDueTokens(
  store: TokenStore, items: readonly ExpiryItem[], now: number, attached: (ids: string[]) => Promise<Set<string>>,
  submitted?: () => void,
): Promise<BulkOutcome> {
  const full: ExpiryItem[] = [];
  const mine = new Map<string, ExpiryItem[]>();
  for (const item of items) {
    const same = mine.get(item.id);
    if (same) same.push(item);
    else mine.set(item.id, [item]);
  }
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  try {
    const plain: TokenRemoval[] = [];
    const drop: ExpiryItem[] = [];
    const unread: string[] = [];
    const all = [...mine.keys()];
    // Checked a slice at a time, a turn of the event loop apart: requests are served in between.
    for (let at = 0; at < all.length; at += CHECKS_PER_TURN) {
      if (at > 0) await nextTurn();
      const slice = all.slice(at, at + CHECKS_PER_TURN);
      // Free locks are taken at once, and nothing waits for a busy one: that token (a renewal,
      // a use, its parent's revocation holds it) goes the full way. So this cannot deadlock
      // with a section that holds a parent and waits for one of these. Every lock taken is
      // held until the transaction is settled.
      const ids = store.holdFree(slice, released);
      if (ids.length < slice.length) {
        const taken = new Set(ids);
        for (const id of slice) if (!taken.has(id)) full.push(...mine.get(id)!);
      }
      const [withChildren, others] = await Promise.all([store.withChildren(ids), attached(ids)]);
      for (const id of ids) {
        const queued = mine.get(id)!;
        if (withChildren.has(id) || others.has(id)) {
          full.push(...queued);
          continue;
        }
        drop.push(...queued);
        // Every entry this process wrote since unseal is cached: a token renewed after the page
        // was listed is found here with its new expiry. Otherwise the item names what to delete.
        const cached = store.cachedEntry(id);
        const named = queued.find((item) => item.accessor !== undefined);
        if (cached) {
          if (isDue(cached, now)) plain.push(store.removalOf(cached, named?.accessor));
        } else if (named) {
          plain.push({ id, accessor: named.accessor!, parent: named.parent ?? '' });
        } else {
          unread.push(id);
        }
      }
    }
    // Items from before they named their keys: the entry is read.
    for (let i = 0; i < unread.length; i += READS_PER_TURN) {
      await nextTurn();
      const entries = await Promise.all(unread.slice(i, i + READS_PER_TURN).map((id) => store.byId(id, true)));
      // Gone already, or renewed since the item was queued (its new item decides): only the
      // stale item goes.
      for (const entry of entries) if (entry && isDue(entry, now)) plain.push(store.removalOf(entry));
    }
    if (drop.length > 0) await store.removeMany(plain, drop, submitted);
    return { revoked: plain.length, full };
  } finally {
    release();
  }
}
