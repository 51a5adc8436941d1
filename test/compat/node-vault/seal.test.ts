// node-vault against a fresh (non-dev) server: initialised, status, init, unseal with the key
// shares it printed, health in each state, seal, and key rotation — the start-up sequence an
// operator script written with node-vault runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
before(async () => { srv = await startTestServer({ dev: false }); });
after(() => srv.close());

test('a new server: initialized() is false, health answers 501 as a body, status shows the sealed state', async () => {
  const vault = vaultClient(srv.url);
  assert.deepEqual(await vault.initialized(), { initialized: false });
  // node-vault resolves sys/health whatever the status code, so apps read the body.
  const health = await vault.health();
  assert.equal(health.initialized, false);
  assert.equal(health.sealed, true);
  const status = await vault.status();
  assert.equal(status.initialized, false);
  assert.equal(status.sealed, true);
  assert.equal(typeof status.version, 'string');
  // sys/leader: no HA, answered without a token whatever the seal state.
  const leader = await vault.leader();
  assert.deepEqual([leader.ha_enabled, leader.is_self, leader.leader_address], [false, false, '']);
});

test('init, unseal with threshold shares, then the root token works; seal and unseal again', async () => {
  const vault = vaultClient(srv.url);
  const init = await vault.init({ secret_shares: 3, secret_threshold: 2 });
  assert.equal(init.keys.length, 3);
  assert.equal(init.keys_base64.length, 3);
  assert.match(init.root_token, /^hvs\./);
  // A second init is refused with Vault's message.
  const again = await failure(vault.init({ secret_shares: 1, secret_threshold: 1 }));
  assert.equal(again.response.statusCode, 400);
  assert.equal(again.message, 'Vault is already initialized');

  let s = await vault.status();
  assert.deepEqual([s.sealed, s.t, s.n, s.progress], [true, 2, 3, 0]);
  s = await vault.unseal({ key: init.keys[0] });
  assert.deepEqual([s.sealed, s.progress], [true, 1]);
  assert.equal(typeof s.nonce, 'string');
  s = await vault.unseal({ key: init.keys_base64[2] });
  assert.deepEqual([s.sealed, s.progress], [false, 0]);

  const health = await vault.health();
  assert.deepEqual([health.initialized, health.sealed, health.standby], [true, false, false]);
  assert.equal(typeof health.server_time_utc, 'number');
  assert.equal(typeof health.cluster_id, 'string');
  // Health's status codes can be chosen by query: node-vault sends them as query parameters.
  const custom = await vault.health({ activecode: 299 });
  assert.equal(custom.sealed, false);

  vault.token = init.root_token;
  const self = await vault.tokenLookupSelf();
  assert.deepEqual(self.data.policies, ['root']);

  // Rotation adds a key term; sys/key-status reports it.
  const before = await vault.read('sys/key-status');
  await vault.rotate();
  const afterRotate = await vault.read('sys/key-status');
  assert.equal(afterRotate.term, before.term + 1);
  assert.equal(afterRotate.data.term, before.term + 1);

  await vault.seal();
  assert.equal((await vault.status()).sealed, true);
  // Sealed: an authenticated call answers 503 with Vault's message.
  const sealed = await failure(vault.tokenLookupSelf());
  assert.equal(sealed.response.statusCode, 503);
  assert.equal(sealed.message, 'Vault is sealed');
  assert.equal((await vault.health()).sealed, true);

  // Progress survives between calls until the threshold is met; reset clears it.
  await vault.unseal({ key: init.keys[1] });
  assert.equal((await vault.status()).progress, 1);
  const reset = await vault.unseal({ reset: true });
  assert.equal(reset.progress, 0);
  await vault.unseal({ key: init.keys[1] });
  s = await vault.unseal({ key: init.keys[2] });
  assert.equal(s.sealed, false);
  assert.deepEqual((await vault.tokenLookupSelf()).data.policies, ['root']);
});
