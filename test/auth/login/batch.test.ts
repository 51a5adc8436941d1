// Batch tokens: self-contained (nothing stored), hvb.-prefixed, not renewable, no children, no
// accessor, no cubbyhole; expire by their TTL; die with their parent; survive a restart and a
// barrier rotation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { call } from '../helpers.js';

const clock = new ManualClock();
let srv: TestServer;

before(async () => { srv = await startTestServer({ clock }); });
after(() => srv.close());

const createBatch = async (token: string, body: Record<string, unknown> = {}) => {
  const r = await call(srv, token, 'POST', 'auth/token/create', { type: 'batch', ...body });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth;
};

test('auth/token/create -type=batch answers a batch token that looks itself up', async () => {
  const auth = await createBatch(srv.rootToken, { policies: ['default'], ttl: '10m' });
  assert.match(auth.client_token, /^hvb\./);
  assert.equal(auth.token_type, 'batch');
  assert.equal(auth.accessor, '');
  assert.equal(auth.renewable, false);
  const self = await call(srv, auth.client_token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.status, 200);
  assert.equal(self.body.data.type, 'batch');
  assert.equal(self.body.data.ttl, 600);
  const other = await srv.api('POST', 'auth/token/lookup', { token: auth.client_token });
  assert.equal(other.body.data.type, 'batch');
});

test('a batch token is not stored, renewed, revoked, a parent, or given a cubbyhole', async () => {
  const before = (await srv.core.unsealed.tokens.allEntries()).length;
  const auth = await createBatch(srv.rootToken, { policies: ['root-less'], ttl: '10m' });
  assert.equal((await srv.core.unsealed.tokens.allEntries()).length, before, 'nothing written');
  const t = auth.client_token;
  assert.deepEqual((await call(srv, t, 'POST', 'auth/token/renew-self', {})).body.errors, ['batch tokens cannot be renewed']);
  assert.deepEqual((await srv.api('POST', 'auth/token/revoke', { token: t })).body.errors, ['batch tokens cannot be revoked']);
  await srv.api('PUT', 'sys/policies/acl/maker', { policy: 'path "auth/token/create" { capabilities = ["update"] }\npath "cubbyhole/*" { capabilities = ["create", "read", "update"] }' });
  const maker = await createBatch(srv.rootToken, { policies: ['maker'], ttl: '10m' });
  const child = await call(srv, maker.client_token, 'POST', 'auth/token/create', {});
  assert.deepEqual(child.body.errors, ['batch tokens cannot create more tokens']);
  const cubby = await call(srv, maker.client_token, 'POST', 'cubbyhole/x', { a: 1 });
  assert.equal(cubby.status, 400);
  const bad = await srv.api('POST', 'auth/token/create', { type: 'batch', num_uses: 3 });
  assert.deepEqual(bad.body.errors, ['batch tokens cannot have "num_uses" set']);
});

test('a batch token expires by its TTL, dies with its parent, and a forged one is refused', async () => {
  const short = await createBatch(srv.rootToken, { policies: ['default'], ttl: '30s' });
  clock.advance(31_000);
  assert.equal((await call(srv, short.client_token, 'GET', 'auth/token/lookup-self')).status, 403);

  await srv.api('PUT', 'sys/policies/acl/parent', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
  const parent = (await srv.api('POST', 'auth/token/create', { policies: ['parent'], ttl: '1h' })).body.auth.client_token;
  const kid = await createBatch(parent, { ttl: '10m' });
  assert.equal(kid.orphan, false);
  assert.equal((await call(srv, kid.client_token, 'GET', 'auth/token/lookup-self')).status, 200);
  assert.equal((await srv.api('POST', 'auth/token/revoke', { token: parent })).status, 204);
  assert.equal((await call(srv, kid.client_token, 'GET', 'auth/token/lookup-self')).status, 403, 'outlived its parent');

  const real = await createBatch(srv.rootToken, { policies: ['default'], ttl: '10m' });
  const forged = real.client_token.slice(0, -3) + (real.client_token.endsWith('AAA') ? 'BBB' : 'AAA');
  assert.equal((await call(srv, forged, 'GET', 'auth/token/lookup-self')).status, 403);
});

test('a batch token survives a restart and a barrier rotation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-batch-'));
  try {
    const storage = { type: 'sqlite' as const, path: join(dir, 'db.sqlite') };
    const first = await startTestServer({ dev: false, storage });
    const init = await first.core.initialize(1, 1);
    await first.core.seal.unseal(init.keys[0]!);
    first.useToken(init.rootToken);
    const token = (await first.api('POST', 'auth/token/create-orphan', { type: 'batch', policies: ['default'], ttl: '1h' })).body.auth.client_token;
    assert.equal((await first.api('PUT', 'sys/rotate')).status, 204);
    await first.close();
    const second = await startTestServer({ dev: false, storage });
    await second.core.seal.unseal(init.keys[0]!);
    const r = await call(second, token, 'GET', 'auth/token/lookup-self');
    assert.equal(r.status, 200);
    assert.equal(r.body.data.type, 'batch');
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
