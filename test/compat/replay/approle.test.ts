// AppRole as the ecosystem drives it, replayed request by request:
// - Terraform's vault_approle_auth_backend_role (create with every token field, a custom
//   role_id, read back into typed state, update, delete) and vault_approle_auth_backend_role_secret_id;
// - External Secrets Operator's appRole auth (Go client: login, use, lookup-self, revoke-self);
// - hashicorp/vault-action with `method: approle` (got: JSON login, then GETs with the token).
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { goClientHeaders, replay, type Replay } from './replay.js';

const CANARY = 'canary-a9f-1e77'; // a secret read after login; must never reach the server log
let srv: TestServer;
let tf: Replay;
let roleId = '';
let secretId = '';

before(async () => {
  srv = await startTestServer();
  tf = replay(srv.url, 'Terraform', goClientHeaders(srv.rootToken));
  await srv.api('POST', 'sys/auth/approle', { type: 'approle' });
  await srv.api('PUT', 'sys/policies/acl/ci', { policy: 'path "secret/data/ci/*" { capabilities = ["read"] }' });
  await srv.api('POST', 'secret/data/ci/app', { data: { password: CANARY } });
});
after(async () => {
  tf.close();
  if (srv.log().includes(CANARY)) throw new Error('a secret read after an AppRole login reached the server log');
  await srv.close();
});

test('Terraform vault_approle_auth_backend_role: create, custom role_id, read into state, update, delete', async () => {
  // What resourceApproleAuthBackendRoleCreate marshals: token fields as numbers and lists.
  const body = {
    bind_secret_id: true, secret_id_bound_cidrs: [], secret_id_num_uses: 0, secret_id_ttl: 600, local_secret_ids: false,
    token_policies: ['ci'], token_ttl: 1200, token_max_ttl: 3600, token_explicit_max_ttl: 0, token_period: 0,
    token_num_uses: 0, token_no_default_policy: false, token_type: 'default', token_bound_cidrs: [],
  };
  tf.status(await tf.send({ method: 'PUT', path: 'auth/approle/role/ci', body }), 204, 'PUT auth/approle/role/ci');
  tf.status(await tf.send({ method: 'PUT', path: 'auth/approle/role/ci/role-id', body: { role_id: 'tf-role-id-1' } }), 204, 'PUT role-id');
  const read = await tf.send({ method: 'GET', path: 'auth/approle/role/ci' });
  tf.status(read, 200, 'GET auth/approle/role/ci');
  const data = tf.envelope(read, 'role read').data as Record<string, unknown>;
  // resourceApproleAuthBackendRoleRead: tokenutil fields via d.Set, secret_id_* as json.Number.
  for (const k of ['secret_id_num_uses', 'secret_id_ttl', 'token_ttl', 'token_max_ttl', 'token_explicit_max_ttl', 'token_period', 'token_num_uses']) tf.kind(data[k], 'int', `role ${k}`);
  for (const k of ['bind_secret_id', 'local_secret_ids', 'token_no_default_policy']) tf.kind(data[k], 'bool', `role ${k}`);
  for (const k of ['secret_id_bound_cidrs', 'token_bound_cidrs', 'token_policies']) tf.strings(data[k], `role ${k}`);
  tf.kind(data.token_type, 'string', 'role token_type');
  tf.equal(data.token_policies, ['ci'], 'role token_policies');
  const id = await tf.send({ method: 'GET', path: 'auth/approle/role/ci/role-id' });
  tf.equal((tf.envelope(id, 'role-id read').data as Record<string, unknown>).role_id, 'tf-role-id-1', 'role_id');
  roleId = 'tf-role-id-1';
  tf.status(await tf.send({ method: 'PUT', path: 'auth/approle/role/ci', body: { ...body, token_ttl: 900 } }), 204, 'update');
  const again = tf.envelope(await tf.send({ method: 'GET', path: 'auth/approle/role/ci' }), 'read after update').data as Record<string, unknown>;
  tf.equal(again.token_ttl, 900, 'updated token_ttl');
  tf.status(await tf.send({ method: 'PUT', path: 'auth/approle/role/gone', body }), 204, 'PUT a role to delete');
  tf.status(await tf.send({ method: 'DELETE', path: 'auth/approle/role/gone' }), 204, 'DELETE role');
  tf.status(await tf.send({ method: 'GET', path: 'auth/approle/role/gone' }), 404, 'GET a deleted role');
});

test('Terraform vault_approle_auth_backend_role_secret_id: generate with metadata, read by accessor', async () => {
  const gen = await tf.send({ method: 'PUT', path: 'auth/approle/role/ci/secret-id', body: { metadata: '{"env":"prod"}', cidr_list: [] } });
  tf.status(gen, 200, 'PUT secret-id');
  const data = tf.envelope(gen, 'secret-id').data as Record<string, unknown>;
  tf.kind(data.secret_id, 'string', 'secret_id');
  tf.kind(data.secret_id_accessor, 'string', 'secret_id_accessor');
  secretId = data.secret_id as string;
  const look = await tf.send({ method: 'PUT', path: 'auth/approle/role/ci/secret-id-accessor/lookup', body: { secret_id_accessor: data.secret_id_accessor } });
  const info = tf.envelope(look, 'accessor lookup').data as Record<string, unknown>;
  tf.equal(info.metadata, { env: 'prod' }, 'metadata');
  tf.strings(info.cidr_list, 'cidr_list');
});

test('External Secrets Operator appRole: login, read, lookup-self, revoke-self', async () => {
  const eso = replay(srv.url, 'External Secrets Operator', goClientHeaders(''));
  try {
    const login = await eso.send({ method: 'PUT', path: 'auth/approle/login', token: '', body: { role_id: roleId, secret_id: secretId } });
    eso.status(login, 200, 'PUT auth/approle/login');
    const auth = eso.json(login, 'login').auth as Record<string, unknown>;
    eso.kind(auth.client_token, 'string', 'auth.client_token');
    eso.kind(auth.lease_duration, 'int', 'auth.lease_duration');
    eso.kind(auth.renewable, 'bool', 'auth.renewable');
    const token = auth.client_token as string;
    const secret = await eso.send({ method: 'GET', path: 'secret/data/ci/app', token });
    eso.status(secret, 200, 'GET secret/data/ci/app');
    const self = await eso.send({ method: 'GET', path: 'auth/token/lookup-self', token });
    eso.status(self, 200, 'lookup-self');
    eso.status(await eso.send({ method: 'PUT', path: 'auth/token/revoke-self', token }), 204, 'revoke-self');
    eso.status(await eso.send({ method: 'GET', path: 'auth/token/lookup-self', token }), 403, 'lookup-self after revoke');
  } finally {
    eso.close();
  }
});

test('vault-action method approle: login with JSON, then GET each secret with the token', async () => {
  const headers = { 'user-agent': 'got (https://github.com/sindresorhus/got)', 'accept-encoding': 'gzip, deflate, br', 'X-Vault-Namespace': '' };
  const action = replay(srv.url, 'vault-action', headers);
  try {
    const sid = (await srv.api('POST', 'auth/approle/role/ci/secret-id')).body.data.secret_id;
    const login = await action.send({ method: 'POST', path: 'auth/approle/login', headers: { 'content-type': 'application/json' }, body: { role_id: roleId, secret_id: sid } });
    action.status(login, 200, 'POST auth/approle/login');
    const token = (action.json(login, 'login').auth as Record<string, unknown>).client_token as string;
    const got = await action.send({ method: 'GET', path: 'secret/data/ci/app', token });
    action.status(got, 200, 'GET secret/data/ci/app');
    action.equal(action.json(got, 'secret').data.data.password, CANARY, 'data.data.password');
  } finally {
    action.close();
  }
});
