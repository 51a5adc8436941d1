// Finding "KV v2 cas: -1": Vault decodes any integer, so a negative cas is a version that does
// not match, not a parse error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('KV v2 cas -1: answers "check-and-set parameter did not match the current version"', async () => {
  for (const cas of [-1, '-1']) {
    const r = await srv.api('POST', 'secret/data/cas-neg', { options: { cas }, data: { a: 1 } });
    assert.deepEqual([r.status, r.body.errors], [400, ['check-and-set parameter did not match the current version']]);
  }
});
