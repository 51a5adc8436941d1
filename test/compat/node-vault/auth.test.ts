// node-vault's auth helpers against Lockbox: enableAuth/auths/disableAuth, the AppRole role,
// role-id, secret-id and accessor helpers, approleLogin and userpassLogin (token sources: the
// client switches to the token the login answered).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
  await srv.api('PUT', 'sys/policies/acl/nv-app', { policy: 'path "secret/data/nv/*" { capabilities = ["read"] }' });
  await srv.api('POST', 'secret/data/nv/db', { data: { password: 'from-kv' } });
});
after(() => srv.close());

const root = () => vaultClient(srv.url, srv.rootToken);

test('enableAuth, auths and disableAuth', async () => {
  const vault = root();
  await vault.enableAuth({ mount_point: 'nv-approle', type: 'approle', description: 'ci' });
  const auths = await vault.auths();
  assert.equal(auths['nv-approle/'].type, 'approle');
  assert.equal(auths.data['nv-approle/'].description, 'ci');
  await vault.enableAuth({ mount_point: 'nv-gone', type: 'userpass' });
  await vault.disableAuth({ mount_point: 'nv-gone' });
  assert.equal((await vault.auths())['nv-gone/'], undefined);
});

test('AppRole: role, role-id, secret-id, lookup, accessors, login and a read with the token', async () => {
  const vault = root();
  await vault.addApproleRole({ mount_point: 'nv-approle', role_name: 'svc', policies: 'nv-app', token_ttl: 600, secret_id_num_uses: 5 });
  const role = await vault.getApproleRole({ mount_point: 'nv-approle', role_name: 'svc' });
  assert.deepEqual(role.data.token_policies, ['nv-app']);
  assert.equal(role.data.token_ttl, 600);
  assert.deepEqual((await vault.approleRoles({ mount_point: 'nv-approle' })).data.keys, ['svc']);
  const roleId = (await vault.getApproleRoleId({ mount_point: 'nv-approle', role_name: 'svc' })).data.role_id;
  const secret = (await vault.getApproleRoleSecret({ mount_point: 'nv-approle', role_name: 'svc', metadata: '{"host":"web-1"}' })).data;
  const looked = await vault.approleSecretLookup({ mount_point: 'nv-approle', role_name: 'svc', secret_id: secret.secret_id });
  assert.deepEqual(looked.data.metadata, { host: 'web-1' });
  const accessors = await vault.approleSecretAccessors({ mount_point: 'nv-approle', role_name: 'svc' });
  assert.deepEqual(accessors.data.keys, [secret.secret_id_accessor]);
  const byAccessor = await vault.approleSecretAccessorLookup({ mount_point: 'nv-approle', role_name: 'svc', secret_id_accessor: secret.secret_id_accessor });
  assert.equal(byAccessor.data.secret_id_num_uses, 5);

  const app = vaultClient(srv.url);
  const login = await app.approleLogin({ mount_point: 'nv-approle', role_id: roleId, secret_id: secret.secret_id });
  assert.deepEqual(login.auth.policies, ['default', 'nv-app']);
  assert.deepEqual(login.auth.metadata, { host: 'web-1', role_name: 'svc' });
  assert.equal(app.token, login.auth.client_token);
  assert.equal((await app.read('secret/data/nv/db')).data.data.password, 'from-kv');

  const wrong = await failure(vaultClient(srv.url).approleLogin({ mount_point: 'nv-approle', role_id: roleId, secret_id: 'nope' }));
  assert.equal(wrong.response.statusCode, 400);
  assert.equal(wrong.message, 'invalid role or secret ID');
  await vault.approleSecretDestroy({ mount_point: 'nv-approle', role_name: 'svc', secret_id: secret.secret_id });
  await failure(vaultClient(srv.url).approleLogin({ mount_point: 'nv-approle', role_id: roleId, secret_id: secret.secret_id }));
  await vault.deleteApproleRole({ mount_point: 'nv-approle', role_name: 'svc' });
});

test('userpass: userpassLogin switches the client to the token', async () => {
  const vault = root();
  await vault.enableAuth({ mount_point: 'nv-users', type: 'userpass' });
  await vault.write('auth/nv-users/users/zoe', { password: 'nv-secret-pass', token_policies: 'nv-app' });
  const app = vaultClient(srv.url);
  const login = await app.userpassLogin({ mount_point: 'nv-users', username: 'zoe', password: 'nv-secret-pass' });
  assert.deepEqual(login.auth.metadata, { username: 'zoe' });
  assert.equal(app.token, login.auth.client_token);
  assert.equal((await app.tokenLookupSelf()).data.display_name, 'nv-users-zoe');
  const wrong = await failure(vaultClient(srv.url).userpassLogin({ mount_point: 'nv-users', username: 'zoe', password: 'bad' }));
  assert.equal(wrong.message, 'invalid username or password');
});
