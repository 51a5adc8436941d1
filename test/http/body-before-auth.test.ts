// Finding "the body is read and parsed before the token is checked": the token and the ACL
// decision the path and operation allow come first; a refused request never has its body read,
// and requests without a valid token get a smaller body limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rawConnect, rawRequest } from './raw.js';

let srv: TestServer;
let reader: string;
before(async () => {
  srv = await startTestServer();
  await srv.api('PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
  reader = (await srv.api('POST', 'auth/token/create', { policies: ['reader'] })).body.auth.client_token;
});
after(() => srv.close());

const post = async (path: string, body: string, token?: string) => {
  const r = await fetch(`${srv.url}/v1/${path}`, { method: 'POST', headers: token ? { 'X-Vault-Token': token } : {}, body });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
};

test('body before auth: without a token a write is refused with 403 before its body is parsed', async () => {
  const r = await post('secret/data/x', '{"data": {"a": ', undefined);
  assert.deepEqual([r.status, r.body.errors], [403, ['permission denied']]);
});

test('body before auth: a write the ACL denies is refused before its body is parsed', async () => {
  const r = await post('secret/data/x', 'not json at all', reader);
  assert.deepEqual([r.status, r.body.errors], [403, ['permission denied']]);
});

test('body before auth: a refused request is answered without waiting for a body that never comes', async () => {
  const conn = await rawConnect(srv.url);
  // Announces 30 MB and sends 10 bytes: the answer must not wait for the other 29.99 MB.
  await conn.write(rawRequest('POST', '/v1/secret/data/x', { headers: ['Content-Length: 31457280'] }) + '{"data":{}');
  const res = await conn.response();
  assert.equal(res.status, 403);
  conn.close();
});

test('body before auth: requests without a valid token may send at most 1 MiB', async () => {
  const big = JSON.stringify({ token: 'x'.repeat(1024 * 1024) });
  const unwrap = await post('sys/wrapping/unwrap', big);
  assert.equal(unwrap.status, 413);
  // With a valid token the listener's max_request_size (32 MiB) applies.
  const write = await post('secret/data/big', JSON.stringify({ data: { v: 'y'.repeat(1000 * 1000) } }), srv.rootToken);
  assert.equal(write.status, 200);
});
