// Response wrapping and leases through node-vault. node-vault has no wrap helper: an app asks
// for a wrapped response by passing the X-Vault-Wrap-TTL header in `requestOptions`, and
// spends the wrapping token with `vault.unwrap` (token in the body) or by making the wrapping
// token its client token and calling `unwrap()` with no body. Leases come from a small test
// engine (no built-in engine issues leases yet) and are renewed and revoked with node-vault's
// renew/revoke/revokePrefix helpers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseEngine } from '../../helpers/lease-engine.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

const engine = leaseEngine();
let srv: TestServer;
before(async () => {
  srv = await startTestServer({ extraEngines: engine.factories });
  await vaultClient(srv.url, srv.rootToken).mount({ mount_point: 'creds', type: 'leasetest' });
});
after(() => srv.close());

const root = () => vaultClient(srv.url, srv.rootToken);
const wrapTtl = (ttl: string) => ({ headers: { 'X-Vault-Wrap-TTL': ttl } });

test('a wrapped KV read answers wrap_info only; vault.unwrap({token}) gives the original response once', async () => {
  const vault = root();
  await vault.write('secret/data/handoff', { data: { api_key: 'k-123' } });
  const wrapped = await vault.read('secret/data/handoff', wrapTtl('5m'));
  assert.equal(wrapped.data, null);
  assert.equal(wrapped.wrap_info.ttl, 300);
  assert.equal(wrapped.wrap_info.creation_path, 'secret/data/handoff');
  assert.match(wrapped.wrap_info.token, /^hvs\./);

  const lookup = await vault.write('sys/wrapping/lookup', { token: wrapped.wrap_info.token });
  assert.equal(lookup.data.creation_ttl, 300);
  assert.equal(lookup.data.creation_path, 'secret/data/handoff');

  const unwrapped = await vault.unwrap({ token: wrapped.wrap_info.token });
  assert.deepEqual(unwrapped.data.data, { api_key: 'k-123' });
  assert.equal(unwrapped.data.metadata.version, 1);
  assert.equal(unwrapped.wrap_info, null);

  const again = await failure(vault.unwrap({ token: wrapped.wrap_info.token }));
  assert.equal(again.response.statusCode, 400);
  assert.equal(again.message, 'wrapping token is not valid or does not exist');
});

test('unwrap() with the wrapping token as the client token, as a receiving app does', async () => {
  const wrapped = await root().write('sys/wrapping/wrap', { db_password: 'pw' }, wrapTtl('60'));
  assert.equal(wrapped.wrap_info.creation_path, 'sys/wrapping/wrap');
  const receiver = vaultClient(srv.url, wrapped.wrap_info.token);
  const unwrapped = await receiver.unwrap();
  assert.deepEqual(unwrapped.data, { db_password: 'pw' });
});

test('a wrapped tokenCreate: the auth block arrives only on unwrap, and node-vault keeps its own token', async () => {
  const vault = root();
  const wrapped = await vault.tokenCreate({ policies: ['default'], requestOptions: wrapTtl('2m') });
  assert.equal(wrapped.auth, null);
  assert.equal(vault.token, srv.rootToken, 'no auth block, so node-vault did not switch tokens');
  assert.equal(typeof wrapped.wrap_info.wrapped_accessor, 'string');
  const unwrapped = await root().unwrap({ token: wrapped.wrap_info.token });
  assert.equal(unwrapped.auth.accessor, wrapped.wrap_info.wrapped_accessor);
  const self = await vaultClient(srv.url, unwrapped.auth.client_token).tokenLookupSelf();
  assert.deepEqual(self.data.policies, ['default']);
});

test('leases: renew, lookup, list, revoke and revokePrefix', async () => {
  const vault = root();
  const cred = await vault.read('creds/creds/app?ttl=600&max_ttl=3600');
  assert.match(cred.lease_id, /^creds\/creds\/app\//);
  assert.equal(cred.lease_duration, 600);
  assert.equal(cred.renewable, true);

  const renewed = await vault.renew({ lease_id: cred.lease_id, increment: 1200 });
  assert.deepEqual([renewed.lease_id, renewed.lease_duration, renewed.renewable], [cred.lease_id, 1200, true]);

  const looked = await vault.write('sys/leases/lookup', { lease_id: cred.lease_id });
  assert.equal(looked.data.id, cred.lease_id);
  assert.equal(looked.data.renewable, true);
  assert.ok(looked.data.ttl > 1190 && looked.data.ttl <= 1200);
  assert.deepEqual((await vault.list('sys/leases/lookup/creds/creds/app')).data.keys, [cred.lease_id.split('/').pop()]);

  await vault.revoke({ lease_id: cred.lease_id });
  assert.ok(engine.state.revoked.includes(cred.data.username));
  const unknown = await failure(vault.renew({ lease_id: cred.lease_id }));
  assert.equal(unknown.response.statusCode, 400);

  const a = await vault.read('creds/creds/batch');
  const b = await vault.read('creds/creds/batch');
  await vault.revokePrefix({ path_prefix: 'creds/creds/batch' });
  assert.ok(engine.state.revoked.includes(a.data.username) && engine.state.revoked.includes(b.data.username));
});
