// Finding "mount type aliases": `generic` mounts KV version 1, as in Vault, and keeps its name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('mount aliases: generic is KV version 1', async () => {
  assert.equal((await srv.api('POST', 'sys/mounts/old', { type: 'generic' })).status, 204);
  assert.equal((await srv.api('POST', 'old/app', { password: 'p' })).status, 204);
  const read = await srv.api('GET', 'old/app');
  assert.deepEqual(read.body.data, { password: 'p' });
  assert.equal((await srv.api('GET', 'sys/mounts')).body.data['old/'].type, 'generic');
});
