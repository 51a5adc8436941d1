// Finding "sys/mounts/auth/<m>/tune bypasses the sudo that sys/auth/<m>/tune needs": Vault's
// route stays, with the same sudo requirement.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
const tokens: Record<string, string> = {};
before(async () => {
  srv = await startTestServer();
  const plain = 'path "sys/mounts/*" { capabilities = ["read", "update"] }\npath "sys/auth/*" { capabilities = ["read", "update"] }';
  const sudo = plain.replace(/"update"\]/g, '"update", "sudo"]');
  for (const [name, policy] of Object.entries({ plain, sudo })) {
    assert.equal((await srv.api('PUT', `sys/policies/acl/${name}`, { policy })).status, 204);
    tokens[name] = (await srv.api('POST', 'auth/token/create', { policies: [name] })).body.auth.client_token;
  }
});
after(() => srv.close());

async function as(token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${srv.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

test('tune sudo: sys/mounts/auth/token/tune needs sudo like sys/auth/token/tune', async () => {
  for (const path of ['sys/mounts/auth/token/tune', 'sys/auth/token/tune']) {
    assert.equal(await as(tokens.plain!, 'GET', path), 403, path);
    assert.equal(await as(tokens.plain!, 'POST', path, { description: 'x' }), 403, path);
    assert.equal(await as(tokens.sudo!, 'GET', path), 200, path);
  }
  // A secrets engine's tune needs no sudo, as before.
  assert.equal(await as(tokens.plain!, 'GET', 'sys/mounts/secret/tune'), 200);
});
