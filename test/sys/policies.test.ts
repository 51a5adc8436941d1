// sys/policy and sys/policies/acl: write, read, list, delete, and policies taking effect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

const HCL = 'path "cubbyhole/*" {\n  capabilities = ["read"]\n}\n';

test('a policy written as HCL reads back verbatim on both APIs and is listed', async () => {
  assert.equal((await srv.api('PUT', 'sys/policies/acl/Ops', { policy: HCL })).status, 204);
  const acl = await srv.api('GET', 'sys/policies/acl/ops');
  assert.deepEqual(acl.body.data, { name: 'ops', policy: HCL });
  const old = await srv.api('GET', 'sys/policy/ops');
  assert.deepEqual([old.body.name, old.body.rules, old.body.data.rules], ['ops', HCL, HCL]);
  const list = await srv.api('LIST', 'sys/policies/acl');
  assert.deepEqual(list.body.data.keys, ['default', 'ops', 'root']);
  const legacy = await srv.api('GET', 'sys/policy');
  assert.deepEqual(legacy.body.policies, ['default', 'ops', 'root']);
});

test('JSON policies are accepted; a broken one is a 400 and changes nothing', async () => {
  const json = JSON.stringify({ path: { 'secret/*': { capabilities: ['list'] } } });
  assert.equal((await srv.api('PUT', 'sys/policy/jsonpol', { policy: json })).status, 204);
  const bad = await srv.api('PUT', 'sys/policies/acl/jsonpol', { policy: 'path "x" { capabilities = ["fly"] }' });
  assert.equal(bad.status, 400);
  assert.equal((await srv.api('GET', 'sys/policies/acl/jsonpol')).body.data.policy, json);
  assert.equal((await srv.api('PUT', 'sys/policies/acl/empty', {})).status, 400);
});

test('root and default cannot be deleted; root cannot be written', async () => {
  assert.equal((await srv.api('DELETE', 'sys/policies/acl/root')).status, 400);
  assert.equal((await srv.api('DELETE', 'sys/policies/acl/default')).status, 400);
  assert.equal((await srv.api('PUT', 'sys/policies/acl/root', { policy: HCL })).status, 400);
  assert.equal((await srv.api('GET', 'sys/policies/acl/missing')).status, 404);
});

test('changing a policy changes what its tokens may do at once', async () => {
  await srv.api('PUT', 'sys/policies/acl/live', { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['live'] })).body.auth.client_token;
  srv.useToken(token);
  try {
    assert.equal((await srv.api('GET', 'sys/mounts')).status, 200);
    srv.useToken(srv.rootToken);
    await srv.api('PUT', 'sys/policies/acl/live', { policy: 'path "sys/mounts" { capabilities = ["deny"] }' });
    srv.useToken(token);
    assert.equal((await srv.api('GET', 'sys/mounts')).status, 403);
    const self = await srv.api('POST', 'sys/capabilities-self', { paths: ['sys/mounts'] });
    assert.deepEqual(self.body.capabilities, ['deny']);
  } finally {
    srv.useToken(srv.rootToken);
  }
});

test('sys/capabilities for root is ["root"]', async () => {
  const r = await srv.api('POST', 'sys/capabilities', { token: srv.rootToken, path: 'anything/at/all' });
  assert.deepEqual(r.body.capabilities, ['root']);
});

test('a policy in HCL1 form (brace on the next line) is taken; a syntax error is a located 400', async () => {
  const hcl1 = '# from a client\'s published policies\npath "sys/mounts"\n{\n  capabilities = [\n    "read",\n  ]\n}\n';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/hcl1', { policy: hcl1 })).status, 204);
  assert.equal((await srv.api('GET', 'sys/policies/acl/hcl1')).body.data.policy, hcl1);
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['hcl1'] })).body.auth.client_token;
  const caps = await srv.api('POST', 'sys/capabilities', { token, path: 'sys/mounts' });
  assert.deepEqual(caps.body.capabilities, ['read']);
  const bad = await srv.api('PUT', 'sys/policies/acl/hcl1', { policy: 'path "sys/mounts" {\n  capabilities = ["read"\n}\n' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { errors: ['failed to parse policy: At 3:1: unexpected token while parsing list: RBRACE'] });
  assert.equal((await srv.api('GET', 'sys/policies/acl/hcl1')).body.data.policy, hcl1);
});
