// Finding "limited-use tokens on their last use": a token with a use limit issues no tokens,
// whatever the path; on its last use it is "revocation pending" and is no parent at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
  assert.equal((await srv.api('POST', 'auth/token/roles/orphans', { orphan: true })).status, 204);
  const policy = 'path "auth/token/create*" { capabilities = ["update"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/creator', { policy })).status, 204);
});
after(() => srv.close());

async function as(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

async function limited(uses: number): Promise<string> {
  const r = await srv.api('POST', 'auth/token/create', { policies: ['creator'], num_uses: uses });
  assert.equal(r.status, 200);
  return r.body.auth.client_token;
}

for (const path of ['auth/token/create', 'auth/token/create-orphan', 'auth/token/create/orphans']) {
  test(`limited-use tokens on their last use: ${path} answers "no parent found" and issues nothing`, async () => {
    const before = (await srv.api('LIST', 'auth/token/accessors')).body.data.keys.length;
    const r = await as(await limited(1), 'POST', path, {});
    assert.deepEqual([r.status, r.body.errors], [400, ['parent token lookup failed: no parent found']]);
    assert.equal((await srv.api('LIST', 'auth/token/accessors')).body.data.keys.length, before, 'the spent token is gone and nothing new exists');
  });

  test(`limited-use tokens with uses left create no tokens: ${path}`, async () => {
    const r = await as(await limited(3), 'POST', path, {});
    assert.deepEqual([r.status, r.body.errors], [400, ['restricted use token cannot generate child tokens']]);
  });
}
