// Kubernetes logins in the identity store: 20 concurrent first logins of one service account
// make one entity; the auth block has Vault's keys and value types; a policy templated on the
// alias metadata lets each namespace's pods read only their namespace's secrets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { call } from '../helpers.js';
import { startKubeApi, type KubeApi } from './kube-api.js';

let srv: TestServer;
let kube: KubeApi;
let accessor = '';

before(async () => {
  kube = await startKubeApi();
  kube.addAccount('kube-system', 'vault-reviewer');
  const reviewer = await kube.mint('kube-system', 'vault-reviewer');
  srv = await startTestServer();
  assert.equal((await srv.api('POST', 'sys/auth/kubernetes', { type: 'kubernetes' })).status, 204);
  accessor = (await srv.api('GET', 'sys/auth')).body.data['kubernetes/'].accessor;
  assert.equal((await srv.api('POST', 'auth/kubernetes/config', { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: reviewer })).status, 204);
  const policy = `path "secret/data/ns/{{identity.entity.aliases.${accessor}.metadata.service_account_namespace}}/*" { capabilities = ["read"] }`;
  assert.equal((await srv.api('PUT', 'sys/policies/acl/by-namespace', { policy })).status, 204);
  assert.equal((await srv.api('POST', 'auth/kubernetes/role/app', {
    bound_service_account_names: 'app', bound_service_account_namespaces: 'team-*', audience: 'vault', token_policies: 'by-namespace',
  })).status, 204);
  for (const ns of ['team-a', 'team-b']) {
    kube.addAccount(ns, 'app');
    assert.equal((await srv.api('POST', `secret/data/ns/${ns}/db`, { data: { ns } })).status, 200);
  }
});
after(async () => { await srv.close(); await kube.close(); });

const login = async (ns: string, method = 'POST') =>
  call(srv, '', method, 'auth/kubernetes/login', { role: 'app', jwt: await kube.mint(ns, 'app', { audiences: ['vault'] }) });

test('20 concurrent first logins of one service account make one entity', async () => {
  const before = (await srv.api('LIST', 'identity/entity/id')).body?.data?.keys?.length ?? 0;
  const results = await Promise.all(Array.from({ length: 20 }, () => login('team-a')));
  assert.ok(results.every((r) => r.status === 200));
  assert.equal(new Set(results.map((r) => r.body.auth.entity_id)).size, 1);
  assert.equal((await srv.api('LIST', 'identity/entity/id')).body.data.keys.length, before + 1);
  const lookup = await srv.api('POST', 'identity/lookup/entity', { alias_name: results[0]!.body.auth.metadata.service_account_uid, alias_mount_accessor: accessor });
  assert.equal(lookup.body.data.id, results[0]!.body.auth.entity_id);
});

test('the auth block has Vault\'s keys and value types, by POST and PUT', async () => {
  for (const method of ['POST', 'PUT']) {
    const r = await login('team-b', method);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const a = r.body.auth;
    assert.equal(typeof a.client_token, 'string');
    assert.equal(typeof a.accessor, 'string');
    assert.deepEqual(a.policies, ['by-namespace', 'default']);
    assert.deepEqual(a.token_policies, ['by-namespace', 'default']);
    assert.equal('identity_policies' in a, false, 'omitted when empty');
    assert.ok(Object.values(a.metadata).every((v) => typeof v === 'string'));
    assert.equal(a.metadata.role, 'app');
    assert.equal(a.token_type, 'service');
    assert.equal(a.orphan, true);
    assert.equal(a.renewable, true);
    assert.equal(a.mfa_requirement, null);
    assert.equal(a.num_uses, 0);
    assert.equal(typeof a.lease_duration, 'number');
    assert.match(a.entity_id, /^[0-9a-f-]{36}$/);
    const self = await call(srv, a.client_token, 'GET', 'auth/token/lookup-self');
    assert.equal(self.body.data.entity_id, a.entity_id);
  }
});

test('a policy templated on the alias metadata admits only the pod\'s own namespace', async () => {
  const a = (await login('team-a')).body.auth.client_token;
  const b = (await login('team-b')).body.auth.client_token;
  assert.equal((await call(srv, a, 'GET', 'secret/data/ns/team-a/db')).status, 200);
  assert.equal((await call(srv, a, 'GET', 'secret/data/ns/team-b/db')).status, 403);
  assert.equal((await call(srv, b, 'GET', 'secret/data/ns/team-b/db')).status, 200);
  assert.equal((await call(srv, b, 'GET', 'secret/data/ns/team-a/db')).status, 403);
});
