// Finding "token leases are listable and revocable by prefix": tokens that expire appear under
// sys/leases/lookup/<creation path>/ as Vault registers them, and revoke-prefix revokes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

const create = async (path = 'auth/token/create') => (await srv.api('POST', path, { policies: ['default'], ttl: '1h' })).body.auth.client_token as string;

test('token leases: LIST sys/leases/lookup/auth/token/create/ lists the expiring tokens', async () => {
  const before = await srv.api('LIST', 'sys/leases/lookup/auth/token/create/');
  const known = before.status === 200 ? before.body.data.keys.length : 0;
  await create();
  await create();
  const after = await srv.api('LIST', 'sys/leases/lookup/auth/token/create/');
  assert.equal(after.status, 200);
  assert.equal(after.body.data.keys.length, known + 2);
  assert.deepEqual((await srv.api('LIST', 'sys/leases/lookup/auth/token/')).body.data.keys, ['create/']);
  assert.ok((await srv.api('LIST', 'sys/leases/lookup/')).body.data.keys.includes('auth/'));
});

test('token leases: revoke-prefix auth/token/create revokes those tokens; others stay', async () => {
  const a = await create();
  const b = await create();
  const orphan = await create('auth/token/create-orphan');
  assert.equal((await srv.api('POST', 'sys/leases/revoke-prefix/auth/token/create', {})).status, 204);
  for (const t of [a, b]) assert.equal((await srv.api('POST', 'auth/token/lookup', { token: t })).status, 403);
  assert.equal((await srv.api('POST', 'auth/token/lookup', { token: orphan })).status, 200);
});
