// Automatic rotation (driven by stored creation times and the injected clock) and the key
// cache being emptied when the server seals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyCache } from '../../../src/engines/transit/cache.js';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer } from '../../helpers/server.js';
import { CANARY_B64 } from './helpers.js';

const HOUR = 3600_000;

test('auto_rotate_period rotates a key once the period has passed; an idle key rotates on its next use', async () => {
  const clock = new ManualClock();
  const srv = await startTestServer({ clock });
  try {
    await srv.api('POST', 'sys/mounts/transit', { type: 'transit' });
    await srv.api('POST', 'transit/keys/auto', { auto_rotate_period: '2h' });
    clock.advance(HOUR);
    let enc = await srv.api('POST', 'transit/encrypt/auto', { plaintext: CANARY_B64 });
    assert.match(enc.body.data.ciphertext, /^vault:v1:/);
    clock.advance(HOUR + 1000);
    enc = await srv.api('POST', 'transit/encrypt/auto', { plaintext: CANARY_B64 });
    assert.match(enc.body.data.ciphertext, /^vault:v2:/);
    const read = (await srv.api('GET', 'transit/keys/auto')).body.data;
    assert.deepEqual([read.latest_version, read.auto_rotate_period], [2, 7200]);
    // An idle key is rotated when next read, by the stored time of its latest version.
    clock.advance(5 * HOUR);
    assert.equal((await srv.api('GET', 'transit/keys/auto')).body.data.latest_version, 3);
    await srv.api('POST', 'transit/keys/auto/config', { auto_rotate_period: 0 });
    clock.advance(10 * HOUR);
    assert.equal((await srv.api('GET', 'transit/keys/auto')).body.data.latest_version, 3);
  } finally {
    await srv.close();
  }
});

test('sealing empties the key cache', async () => {
  const srv = await startTestServer();
  try {
    await srv.api('POST', 'sys/mounts/transit', { type: 'transit' });
    await srv.api('POST', 'transit/keys/cached');
    await srv.api('POST', 'transit/encrypt/cached', { plaintext: CANARY_B64 });
    const uuid = (await srv.api('GET', 'sys/mounts/transit')).body.data?.uuid ?? (await srv.api('GET', 'sys/mounts')).body.data['transit/'].uuid;
    assert.ok(keyCache.get(uuid, 'cached'), 'the key is cached after use');
    assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
    assert.equal(keyCache.get(uuid, 'cached'), undefined);
  } finally {
    await srv.close();
  }
});
