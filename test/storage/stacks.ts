// The stacks the server really runs over a physical backend: the barrier, then a mount's view.
import { randomBytes } from 'node:crypto';
import { Barrier, encryptKeyring, KEYRING_PATH } from '../../src/barrier/barrier.js';
import { Keyring } from '../../src/barrier/keyring.js';
import { scopedView } from '../../src/storage/view.js';
import type { Storage } from '../../src/storage/storage.js';
import { systemClock } from '../../src/util/clock.js';

/** An unsealed barrier over `physical`, and a mount's view inside it. */
export async function barrierAndView(physical: Storage): Promise<Storage> {
  const rootKey = randomBytes(32);
  await physical.put(KEYRING_PATH, encryptKeyring(rootKey, Keyring.create(systemClock.now())));
  const barrier = new Barrier(physical, systemClock);
  await barrier.unseal(rootKey);
  // A neighbour's entry must never show through the view.
  await barrier.put('logical/other/secret', Buffer.from('s'));
  return scopedView(barrier, 'logical/abc/');
}
