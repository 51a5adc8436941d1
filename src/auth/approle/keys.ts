// The per-mount HMAC key. Role-ids and secret-ids are never stored: only their HMACs under this
// key are, so storage can be searched by a presented value without holding it, and a lookup is
// a keyed-hash lookup, never a byte-by-byte comparison a timing attack could measure.
import { createHmac, randomBytes } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { KeyedLock } from '../../util/keyed-lock.js';

const KEY_PATH = 'salt';
const keys = new Map<string, Buffer>();
const creating = new KeyedLock();

/** The mount's HMAC key, made on first use. */
export async function mountKey(storage: Storage, mountUuid: string): Promise<Buffer> {
  const cached = keys.get(mountUuid);
  if (cached) return cached;
  // Two first requests at once must not each make a key: the second would orphan the first's entries.
  return creating.run(mountUuid, async () => {
    let key = keys.get(mountUuid) ?? (await storage.get(KEY_PATH));
    if (!key) {
      key = randomBytes(32);
      await storage.put(KEY_PATH, key);
    }
    keys.set(mountUuid, key);
    return key;
  });
}

/** Forgets cached keys (before the barrier seals). */
export function forgetKeys(): void {
  keys.clear();
}

/** HMAC-SHA256 of a value under the mount key, hex. */
export const hmacOf = (key: Buffer, value: string) => createHmac('sha256', key).update(value).digest('hex');
