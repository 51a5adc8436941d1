// Core's periodic work: a backend's hook runs at unseal and on demand, once at a time, and
// one mount's failure does not stop another's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineBackend } from '../../src/core/backend.js';
import { startTestServer } from '../helpers/server.js';

test('periodic hooks run per mount at unseal and on demand, and failures stay contained', async () => {
  const seen: string[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const backend = defineBackend({
    type: 'ticker', summary: 'test', paths: [],
    periodic: async ({ storage }) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 5));
      concurrent--;
      const marker = await storage.get('fail');
      if (marker) throw new Error('boom');
      seen.push('ran');
    },
  });
  const srv = await startTestServer({ extraEngines: new Map([['ticker', () => backend]]) });
  try {
    assert.equal((await srv.api('POST', 'sys/mounts/a', { type: 'ticker' })).status, 204);
    assert.equal((await srv.api('POST', 'sys/mounts/b', { type: 'ticker' })).status, 204);
    const { mounts } = srv.core.unsealed;
    await mounts.viewOf(mounts.get('mounts', 'a/')!).put('fail', Buffer.from('1'));
    seen.length = 0;
    await Promise.all([srv.core.runPeriodicWork(), srv.core.runPeriodicWork()]);
    assert.deepEqual(seen, ['ran']);
    assert.equal(maxConcurrent, 1);
    assert.match(srv.log(), /periodic work of a mount failed/);
    seen.length = 0;
    await srv.core.seal.seal();
    await srv.core.seal.unseal(Buffer.from(srv.unsealKey, 'base64'));
    await srv.core.runPeriodicWork();
    assert.ok(seen.length >= 1);
  } finally {
    await srv.close();
  }
});
