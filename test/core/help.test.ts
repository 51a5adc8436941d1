// `?help=1`: every declared path explains itself from its declaration.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('help on a declared path lists its summary, operations and fields', async () => {
  const r = await srv.api('GET', 'auth/token/create?help=1');
  assert.equal(r.status, 200);
  assert.match(r.body.help, /Create a child token\./);
  assert.match(r.body.help, /^ {4}policies \(strings\)$/m);
  assert.match(r.body.help, /^ {4}update$/m);
  assert.equal(r.body.see_also, null);
  assert.ok(r.body.openapi.paths['/create'].parameters.some((p: { name: string }) => p.name === 'ttl'));
});

test('help needs a token with some capability on the path', async () => {
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['default'] })).body.auth.client_token;
  srv.useToken(token);
  try {
    assert.equal((await srv.api('GET', 'sys/mounts?help=1')).status, 403);
    assert.equal((await srv.api('GET', 'auth/token/lookup-self?help=1')).status, 200);
  } finally {
    srv.useToken(srv.rootToken);
  }
});
