// sys/init, sys/unseal, sys/seal, sys/seal-status and sys/health over HTTP, as Vault answers them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let keys: string[] = [];
let rootToken = '';

before(async () => {
  srv = await startTestServer({ dev: false });
});
after(async () => {
  for (const k of keys) assert.ok(!srv.log().includes(k), 'an unseal key reached the log');
  await srv.close();
});

test('an uninitialised server: health 501, seal-status initialized false, other paths 503', async () => {
  const health = await srv.api('GET', 'sys/health');
  assert.equal(health.status, 501);
  assert.equal(health.body.initialized, false);
  assert.equal((await srv.api('GET', 'sys/health?uninitcode=200')).status, 200);
  const status = await srv.api('GET', 'sys/seal-status');
  assert.deepEqual([status.body.initialized, status.body.sealed, status.body.t, status.body.n], [false, true, 0, 0]);
  assert.deepEqual((await srv.api('GET', 'sys/init')).body, { initialized: false });
  const other = await srv.api('GET', 'secret/data/x');
  assert.deepEqual([other.status, other.body], [503, { errors: ['Vault is sealed'] }]);
});

test('init with bad parameters is refused and leaves the server uninitialised', async () => {
  const bad = await srv.api('PUT', 'sys/init', { secret_shares: 2, secret_threshold: 3 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors.length, 1);
  assert.deepEqual((await srv.api('GET', 'sys/init')).body, { initialized: false });
});

test('init 5/3, unseal with three shares (a duplicate refused), then the root token works', async () => {
  const init = await srv.api('PUT', 'sys/init', { secret_shares: 5, secret_threshold: 3 });
  assert.equal(init.status, 200);
  assert.equal(init.body.keys.length, 5);
  assert.equal(init.body.keys_base64.length, 5);
  assert.match(init.body.root_token, /^hvs\./);
  keys = init.body.keys;
  rootToken = init.body.root_token;
  assert.equal((await srv.api('GET', 'sys/health')).status, 503);
  assert.equal((await srv.api('GET', 'sys/health?sealedcode=299')).status, 299);

  let s = await srv.api('PUT', 'sys/unseal', { key: keys[4] });
  assert.deepEqual([s.body.sealed, s.body.progress, s.body.t, s.body.n], [true, 1, 3, 5]);
  assert.notEqual(s.body.nonce, '');
  const dup = await srv.api('PUT', 'sys/unseal', { key: keys[4] });
  assert.equal(dup.status, 400);
  s = await srv.api('PUT', 'sys/unseal', { key: init.body.keys_base64[1] });
  assert.equal(s.body.progress, 2);
  s = await srv.api('PUT', 'sys/unseal', { key: keys[2] });
  assert.deepEqual([s.body.sealed, s.body.progress, s.body.nonce], [false, 0, '']);
  assert.equal(typeof s.body.cluster_id, 'string');

  srv.useToken(rootToken);
  const self = await srv.api('GET', 'auth/token/lookup-self');
  assert.equal(self.status, 200);
  assert.deepEqual(self.body.data.policies, ['root']);
  assert.equal((await srv.api('GET', 'sys/health')).status, 200);
});

test('unseal progress resets with reset; a missing key is a 400 naming the field', async () => {
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  assert.equal((await srv.api('GET', 'auth/token/lookup-self')).status, 503);
  await srv.api('PUT', 'sys/unseal', { key: keys[0] });
  const reset = await srv.api('PUT', 'sys/unseal', { reset: true });
  assert.deepEqual([reset.body.progress, reset.body.sealed], [0, true]);
  const none = await srv.api('PUT', 'sys/unseal', {});
  assert.equal(none.status, 400);
  assert.match(none.body.errors[0], /'key' must be specified/);
  const garbage = await srv.api('PUT', 'sys/unseal', { key: 'not a key!' });
  assert.equal(garbage.status, 400);
  for (const k of [keys[0], keys[1], keys[3]]) await srv.api('PUT', 'sys/unseal', { key: k });
  assert.equal((await srv.api('GET', 'sys/seal-status')).body.sealed, false);
});

test('a wrong share set is refused and progress starts over', async () => {
  await srv.api('PUT', 'sys/seal');
  const other = await startTestServer({ dev: false });
  const foreign = (await other.api('PUT', 'sys/init', { secret_shares: 5, secret_threshold: 3 })).body.keys;
  await other.close();
  await srv.api('PUT', 'sys/unseal', { key: keys[0] });
  await srv.api('PUT', 'sys/unseal', { key: keys[1] });
  const wrong = await srv.api('PUT', 'sys/unseal', { key: foreign[2] });
  assert.equal(wrong.status, 400);
  assert.equal((await srv.api('GET', 'sys/seal-status')).body.progress, 0);
  for (const k of keys.slice(2)) await srv.api('PUT', 'sys/unseal', { key: k });
  assert.equal((await srv.api('GET', 'sys/seal-status')).body.sealed, false);
});

test('sys/seal needs a token with sudo: no token is 403', async () => {
  srv.useToken('');
  assert.deepEqual((await srv.api('PUT', 'sys/seal')).body, { errors: ['permission denied'] });
  srv.useToken(rootToken);
});

test('HEAD sys/health answers the status without a body', async () => {
  const res = await fetch(`${srv.url}/v1/sys/health`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});
