// The expiry index: one key per scheduled expiry, named so that storage order is time order
// (`queue/<ms, zero-padded>.<kind>.<id>`). The expiration manager pages through it from the
// front, so it never needs every lease in memory to know what falls due next.
import type { Storage } from '../../storage/storage.js';

/** What expires: a lease (revoked through its engine) or a token (revoked with its tree). */
export type ExpiryKind = 'lease' | 'token';

/** One scheduled expiry. */
export type ExpiryItem = { at: number; kind: ExpiryKind; id: string };

const PREFIX = 'queue/';
const WIDTH = 15;

/** Lease ids contain '/', which a single storage segment cannot: encode them. */
const encodeId = (id: string) => Buffer.from(id).toString('base64url');
const decodeId = (text: string) => Buffer.from(text, 'base64url').toString('utf8');

/** The key of one item; time first, so the folder lists in expiry order. */
export function queueKey(item: ExpiryItem): string {
  return `${PREFIX}${String(Math.max(0, item.at)).padStart(WIDTH, '0')}.${item.kind}.${encodeId(item.id)}`;
}

function parseKey(name: string): ExpiryItem | undefined {
  const [at, kind, id] = name.split('.');
  if (at === undefined || id === undefined || (kind !== 'lease' && kind !== 'token')) return undefined;
  return { at: Number(at), kind, id: decodeId(id) };
}

/** Adds an item inside the caller's write (transaction or plain storage). */
export async function schedule(storage: Storage, item: ExpiryItem): Promise<void> {
  await storage.put(queueKey(item), Buffer.alloc(0));
}

/** Removes an item; a missing one is fine. */
export async function unschedule(storage: Storage, item: ExpiryItem): Promise<void> {
  await storage.delete(queueKey(item));
}

/** The earliest `limit` items, or those after `after` (a key from an earlier page). */
export async function earliest(storage: Storage, limit: number, after?: string): Promise<Array<ExpiryItem & { key: string }>> {
  const names = await storage.list(PREFIX, { limit, after });
  const items: Array<ExpiryItem & { key: string }> = [];
  for (const name of names) {
    const item = parseKey(name);
    if (item) items.push({ ...item, key: name });
  }
  return items;
}
