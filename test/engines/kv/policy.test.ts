// Policies written for KV v2's data/ and metadata/ paths work as they do on Vault: a token
// granted data/ reads and writes secrets but cannot see or change their metadata.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { closeKvServer, startKvServer } from './helpers.js';

let srv: TestServer;
let token = '';

before(async () => {
  ({ srv } = await startKvServer('2'));
  const policy = 'path "secret/data/app/*" { capabilities = ["create", "read", "update"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/app-data', { policy })).status, 204);
  token = (await srv.api('POST', 'auth/token/create', { policies: ['app-data'] })).body.auth.client_token;
  await srv.api('POST', 'secret/data/app/db', { data: { password: 'x' } });
});
after(() => closeKvServer(srv));

/** Calls the API as the data-only token. */
async function asApp(method: string, path: string, body?: unknown) {
  srv.useToken(token);
  try {
    return await srv.api(method, path, body);
  } finally {
    srv.useToken(srv.rootToken);
  }
}

test('data/ grants reading and writing versions', async () => {
  assert.equal((await asApp('GET', 'secret/data/app/db')).status, 200);
  const w = await asApp('POST', 'secret/data/app/db', { data: { password: 'y' } });
  assert.equal(w.status, 200);
  assert.equal(w.body.data.version, 2);
});

test('metadata/ is refused: read, list, write and delete are 403', async () => {
  for (const [method, path, body] of [
    ['GET', 'secret/metadata/app/db'], ['LIST', 'secret/metadata/app'],
    ['POST', 'secret/metadata/app/db', { max_versions: 1 }], ['DELETE', 'secret/metadata/app/db'],
  ] as const) {
    const r = await asApp(method, path, body);
    assert.deepEqual([method, path, r.status, r.body], [method, path, 403, { errors: ['permission denied'] }]);
  }
  // Nothing the refused calls asked for happened.
  assert.equal((await srv.api('GET', 'secret/metadata/app/db')).body.data.max_versions, 0);
});

test('paths outside the grant are refused, and delete/ or destroy/ need their own grant', async () => {
  assert.equal((await asApp('GET', 'secret/data/other')).status, 403);
  assert.equal((await asApp('POST', 'secret/delete/app/db', { versions: [1] })).status, 403);
  assert.equal((await asApp('PUT', 'secret/destroy/app/db', { versions: [1] })).status, 403);
});
