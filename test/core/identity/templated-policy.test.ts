// Templated ACL paths filled from the token's entity on each request: each user reaches only
// its own path, a token without an entity gets only the untemplated rules, and a policy with
// unbalanced braces is refused when written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { addUser, call, enableAuth, loginUser, ok } from './helpers.js';

let srv: TestServer;
let acc: string;
const POLICY = `
path "secret/data/users/{{identity.entity.id}}/*" { capabilities = ["create", "update", "read"] }
path "secret/data/by-name/{{identity.entity.aliases.ACC.name}}/*" { capabilities = ["read"] }
path "secret/data/team/{{identity.entity.metadata.team}}" { capabilities = ["read"] }
path "secret/data/groups/{{identity.groups.names.crew.id}}" { capabilities = ["read"] }
path "secret/data/public" { capabilities = ["read"] }
`;
before(async () => {
  srv = await startTestServer();
  acc = await enableAuth(srv, 'userpass', 'userpass');
  await ok(srv, 'PUT', 'sys/policies/acl/users', { policy: POLICY.replace('ACC', acc) });
  for (const u of ['alice', 'bob']) await addUser(srv, 'userpass', u, ['users']);
  for (const p of ['public', 'team/red', 'by-name/alice/x', 'by-name/bob/x']) await ok(srv, 'POST', `secret/data/${p}`, { data: { v: p } });
});
after(() => srv.close());

test('each entity reads and writes only under its own id; another entity\'s path is 403', async () => {
  const alice = await loginUser(srv, 'userpass', 'alice');
  const bob = await loginUser(srv, 'userpass', 'bob');
  const own = await call(srv, alice.client_token, 'POST', `secret/data/users/${alice.entity_id}/notes`, { data: { n: 1 } });
  assert.equal(own.status, 200);
  assert.equal((await call(srv, alice.client_token, 'GET', `secret/data/users/${alice.entity_id}/notes`)).status, 200);
  assert.equal((await call(srv, bob.client_token, 'GET', `secret/data/users/${alice.entity_id}/notes`)).status, 403);
  assert.equal((await call(srv, bob.client_token, 'POST', `secret/data/users/${alice.entity_id}/notes`, { data: { n: 2 } })).status, 403);
  // The literal template text is never a path anyone holds.
  assert.equal((await call(srv, alice.client_token, 'GET', 'secret/data/users/{{identity.entity.id}}/notes')).status, 403);
  assert.equal((await call(srv, alice.client_token, 'GET', 'secret/data/by-name/alice/x')).status, 200);
  assert.equal((await call(srv, alice.client_token, 'GET', 'secret/data/by-name/bob/x')).status, 403);
});

test('metadata and group templates follow identity changes on the next request', async () => {
  const alice = await loginUser(srv, 'userpass', 'alice');
  assert.equal((await call(srv, alice.client_token, 'GET', 'secret/data/team/red')).status, 403, 'no metadata key: path left out');
  await ok(srv, 'POST', `identity/entity/id/${alice.entity_id}`, { metadata: { team: 'red' } });
  assert.equal((await call(srv, alice.client_token, 'GET', 'secret/data/team/red')).status, 200);
  const crew = await ok(srv, 'POST', 'identity/group', { name: 'crew', member_entity_ids: [alice.entity_id] });
  await ok(srv, 'POST', `secret/data/groups/${crew.id}`, { data: { v: 1 } });
  assert.equal((await call(srv, alice.client_token, 'GET', `secret/data/groups/${crew.id}`)).status, 200);
  const caps = await call(srv, alice.client_token, 'POST', 'sys/capabilities-self', { paths: [`secret/data/users/${alice.entity_id}/x`] });
  assert.deepEqual(caps.body.data.capabilities, ['create', 'read', 'update']);
});

test('a token without an entity gets only the untemplated rules', async () => {
  const plain = (await srv.api('POST', 'auth/token/create', { policies: ['users'] })).body.auth;
  assert.equal(plain.entity_id, '');
  assert.equal((await call(srv, plain.client_token, 'GET', 'secret/data/public')).status, 200);
  assert.equal((await call(srv, plain.client_token, 'GET', 'secret/data/users//notes')).status, 403);
  assert.equal((await call(srv, plain.client_token, 'GET', 'secret/data/users/{{identity.entity.id}}/notes')).status, 403);
});

test('the default policy lets a token read its own entity, and only that one', async () => {
  const alice = await loginUser(srv, 'userpass', 'alice');
  const bob = await loginUser(srv, 'userpass', 'bob');
  assert.equal((await call(srv, alice.client_token, 'GET', `identity/entity/id/${alice.entity_id}`)).status, 200);
  assert.equal((await call(srv, alice.client_token, 'GET', `identity/entity/id/${bob.entity_id}`)).status, 403);
});

test('a policy with unbalanced template braces is refused at write', async () => {
  for (const path of ['secret/{{identity.entity.id}/x', 'secret/}}x', 'secret/{{a}}{{b']) {
    const r = await srv.api('PUT', 'sys/policies/acl/broken', { policy: `path "${path}" { capabilities = ["read"] }` });
    assert.deepEqual([r.status, r.body.errors], [400, ['failed to parse policy: failed to validate policy templating: unbalanced templating characters']], path);
  }
  assert.equal((await srv.api('GET', 'sys/policies/acl/broken')).status, 404);
});
