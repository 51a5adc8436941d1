// The expiry index: one key per scheduled expiry, named so that storage order is time order
// (`queue/<ms, zero-padded>.<kind>.<id>`). The expiration manager pages through it from the
// front, so it never needs every lease in memory to know what falls due next.
import type { Storage } from '../../storage/storage.js';

/** What expires: a lease (revoked through its engine) or a token (revoked with its tree). */
export type ExpiryKind = 'lease' | 'token';

/**
 * One scheduled expiry. A token's item also names the keys its removal deletes besides its
 * entry (the HMAC of its accessor, its parent), so a page of plain tokens is revoked without
 * reading and decrypting their entries. These are storage key names already (the accessor
 * index and the parent index), and like every key name they are not encrypted: the item links
 * a token's entry to its accessor index, never to a token or accessor value. Items written
 * before they carried these have neither.
 */
export type ExpiryItem = { at: number; kind: ExpiryKind; id: string; accessor?: string; parent?: string };

const PREFIX = 'queue/';
const WIDTH = 15;

/** Lease ids contain '/', which a single storage segment cannot: encode them. */
const encodeId = (id: string) => Buffer.from(id).toString('base64url');
const decodeId = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

/** The key of one item; time first, so the folder lists in expiry order. */
export function queueKey(item: ExpiryItem): string {
  const base = `${PREFIX}${String(Math.max(0, item.at)).padStart(WIDTH, '0')}.${item.kind}.${encodeId(item.id)}`;
  return item.accessor === undefined ? base : `${base}.${item.accessor}.${item.parent ?? ''}`;
}

/**
 * The key an item is stored under: the name it was listed under (`earliest`), which is exact
 * even for an item from before items named their keys, else the key `schedule` gives it.
 * Reusing the listed name also spares a bulk expiry re-encoding thousands of ids.
 */
export function storedKey(item: ExpiryItem & { key?: string }): string {
  return item.key !== undefined ? `${PREFIX}${item.key}` : queueKey(item);
}

/**
 * Every key the item may be stored under: a token scheduled before items named its accessor
 * and parent is under the shorter key, so removing or moving it deletes both.
 */
export function queueKeys(item: ExpiryItem): string[] {
  return item.accessor === undefined ? [queueKey(item)] : [queueKey(item), queueKey({ at: item.at, kind: item.kind, id: item.id })];
}

function parseKey(name: string): (ExpiryItem & { key: string }) | undefined {
  const [at, kind, id, accessor, parent] = name.split('.');
  if (at === undefined || id === undefined || (kind !== 'lease' && kind !== 'token')) return undefined;
  const item: ExpiryItem & { key: string } = { at: Number(at), kind, id: decodeId(id), key: name };
  if (accessor !== undefined) {
    item.accessor = accessor;
    item.parent = parent ?? '';
  }
  return item;
}

/** Adds an item inside the caller's write (transaction or plain storage). */
export async function schedule(storage: Storage, item: ExpiryItem): Promise<void> {
  await storage.put(queueKey(item), Buffer.alloc(0));
}

/** Removes an item (under whichever of its keys it is); a missing one is fine. */
export async function unschedule(storage: Storage, item: ExpiryItem): Promise<void> {
  for (const key of queueKeys(item)) await storage.delete(key);
}

/** The earliest `limit` items, or those after `after` (a key from an earlier page). */
export async function earliest(storage: Storage, limit: number, after?: string): Promise<Array<ExpiryItem & { key: string }>> {
  const names = await storage.list(PREFIX, { limit, after });
  const items: Array<ExpiryItem & { key: string }> = [];
  for (const name of names) {
    const item = parseKey(name);
    if (item) items.push(item);
  }
  return items;
}
