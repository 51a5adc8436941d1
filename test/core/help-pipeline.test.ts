// Finding "?help=1 skips audit and use counting": help goes through the normal pipeline: the
// ACL (any capability on the path), the audit devices (failing closed) and the use count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { chattr, enableFile, recordsFor, tempDir } from '../audit/helpers.js';

let srv: TestServer;
const dir = tempDir();
const file = join(dir, 'audit.log');
before(async () => {
  srv = await startTestServer();
  await enableFile(srv, 'file', file);
});
after(async () => { await srv.close(); rmSync(dir, { recursive: true, force: true }); });

async function as(token: string, path: string) {
  const r = await fetch(`${srv.url}/v1/${path}`, { headers: { 'X-Vault-Token': token } });
  await r.arrayBuffer();
  return r.status;
}

test('help through the pipeline: a help request is audited, request and response', async () => {
  assert.equal((await srv.api('GET', 'auth/token/lookup-self?help=1')).status, 200);
  assert.equal(recordsFor(file, 'auth/token/lookup-self', 'request').length, 1);
  assert.equal(recordsFor(file, 'auth/token/lookup-self', 'response').length, 1);
});

test('help through the pipeline: help spends a use of a limited-use token', async () => {
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['default'], num_uses: 1 })).body.auth.client_token;
  assert.equal(await as(token, 'auth/token/lookup-self?help=1'), 200);
  assert.equal(await as(token, 'auth/token/lookup-self'), 403);
});

test('help through the pipeline: help fails closed when nothing can be audited', async () => {
  chattr('+i', file);
  try {
    assert.equal((await srv.api('GET', 'auth/token/lookup-self?help=1')).status, 500);
  } finally {
    chattr('-i', file);
  }
});
