// The agent's lease cache end to end: a real server with the database engine on the machine's
// PostgreSQL, and `lockbox agent` (its own process) with `cache {}` in front of it. Clients
// share a cached lease; revoking it through the agent evicts it (and the server drops the
// user); KV answers are never cached; cache-clear evicts by each of its types.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '../../helpers/server.js';
import { PG_URL, closeDatabaseServer, expectStatus, pgAdmin, pgRoleExists, startDatabaseServer, unique } from '../../engines/database/helpers.js';
import { request, startCachingAgent, type Answer, type CachingAgent } from './helpers.js';

let srv: TestServer;
let dir: string;
let agent: CachingAgent;
const prefix = unique('lbac');
const CREDS = '/v1/database/creds/app';

const POLICY = `
path "database/creds/app" { capabilities = ["read"] }
path "secret/data/*" { capabilities = ["read"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "auth/token/create" { capabilities = ["update"] }
`;

before(async () => {
  srv = await startDatabaseServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-cache-db-'));
  expectStatus(await srv.api('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin', connection_url: PG_URL, username: 'postgres', password: 'x',
    allowed_roles: ['app'], username_template: `${prefix}-{{random 8 | lowercase}}`,
  }), 204);
  expectStatus(await srv.api('POST', 'database/roles/app', {
    db_name: 'pg', default_ttl: '1h', max_ttl: '24h',
    creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`],
  }), 204);
  expectStatus(await srv.api('PUT', 'sys/policies/acl/agentcache', { policy: POLICY }), 204);
  agent = await startCachingAgent(srv, dir, 'db', ['agentcache']);
});

after(async () => {
  const code = await agent?.agent.stop();
  await srv.api('PUT', 'sys/leases/revoke-prefix/database/creds');
  for (const { rolname } of await pgAdmin<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`${prefix}%`])) {
    await pgAdmin(`DROP ROLE "${rolname}"`);
  }
  await closeDatabaseServer(srv);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 0, agent?.agent.output());
});

const creds = (headers: Record<string, string> = {}) => request(agent.port, 'GET', CREDS, headers);
const viaRoot = (method: string, path: string, body?: unknown) =>
  request(agent.port, method, path, { 'X-Vault-Token': srv.rootToken, 'Content-Type': 'application/json' }, body);
const clear = (body: unknown) => request(agent.port, 'POST', '/agent/v1/cache-clear', {}, body);
const ourRoles = async () => (await pgAdmin('SELECT 1 FROM pg_roles WHERE rolname LIKE $1', [`${prefix}%`])).length;

function leased(a: Answer, cache: 'HIT' | 'MISS'): { lease_id: string; data: { username: string } } {
  assert.equal(a.status, 200, a.body);
  assert.equal(a.headers['x-cache'], cache, `X-Cache of ${a.body}`);
  return a.json;
}

test('two clients get the same lease (the second a HIT with Age); revoking it through the agent evicts it', async () => {
  const miss = await creds();
  const first = leased(miss, 'MISS');
  assert.equal(miss.headers.age, undefined);
  const second = await creds();
  const shared = leased(second, 'HIT');
  assert.equal(shared.lease_id, first.lease_id);
  assert.equal(shared.data.username, first.data.username);
  assert.match(String(second.headers.age), /^\d+$/);
  assert.ok(await pgRoleExists(first.data.username));

  const revoked = await viaRoot('PUT', '/v1/sys/leases/revoke', { lease_id: first.lease_id });
  assert.equal(revoked.status, 204, revoked.body);
  assert.equal(await pgRoleExists(first.data.username), false);
  const after = leased(await creds(), 'MISS');
  assert.notEqual(after.lease_id, first.lease_id);
  assert.equal(leased(await creds(), 'HIT').lease_id, after.lease_id);
  // revoke-prefix through the agent evicts it as well.
  assert.equal((await viaRoot('PUT', '/v1/sys/leases/revoke-prefix/database/creds/app')).status, 204);
  assert.equal(await pgRoleExists(after.data.username), false);
  leased(await creds(), 'MISS');
});

test('identical requests at once share one upstream call (one new database user)', async () => {
  assert.equal((await clear({ type: 'all' })).status, 200);
  const before = await ourRoles();
  const answers = await Promise.all([1, 2, 3, 4].map(() => creds()));
  const ids = new Set(answers.map((a) => { assert.equal(a.status, 200, a.body); return a.json.lease_id as string; }));
  assert.equal(ids.size, 1);
  assert.deepEqual(answers.map((a) => a.headers['x-cache']).sort(), ['HIT', 'HIT', 'HIT', 'MISS']);
  assert.equal(await ourRoles(), before + 1);
});

test('a KV read (no lease) is never cached', async () => {
  expectStatus(await srv.api('PUT', 'secret/data/agentcache', { data: { colour: 'blue' } }), 200);
  for (let i = 0; i < 2; i++) {
    const read = await request(agent.port, 'GET', '/v1/secret/data/agentcache');
    assert.equal(read.status, 200, read.body);
    assert.equal(read.headers['x-cache'], 'MISS');
    assert.equal(read.json.data.data.colour, 'blue');
  }
  expectStatus(await srv.api('PUT', 'secret/data/agentcache', { data: { colour: 'red' } }), 200);
  assert.equal((await request(agent.port, 'GET', '/v1/secret/data/agentcache')).json.data.data.colour, 'red');
});

test('cache-clear: lease, request_path, token, token_accessor and all; Vault\'s errors', async () => {
  assert.equal((await clear({ type: 'all' })).status, 200);
  // lease: evicted, not revoked (the user still exists).
  const a = leased(await creds(), 'MISS');
  leased(await creds(), 'HIT');
  assert.equal((await clear({ type: 'lease', value: a.lease_id })).status, 200);
  const b = leased(await creds(), 'MISS');
  assert.ok(await pgRoleExists(a.data.username));
  // request_path (a prefix)
  assert.equal((await clear({ type: 'request_path', value: '/v1/database/' })).status, 200);
  const c = leased(await creds(), 'MISS');
  // token: the auto-auth token's leases go; the token stays managed, so caching goes on.
  assert.equal((await clear({ type: 'token', value: agent.token() })).status, 200);
  const d = leased(await creds(), 'MISS');
  leased(await creds(), 'HIT');
  assert.equal(new Set([a, b, c, d].map((x) => x.lease_id)).size, 4);

  // token_accessor: a token created through the agent, and the lease asked for with it.
  const create = () => request(agent.port, 'POST', '/v1/auth/token/create', { 'Content-Type': 'application/json' }, { policies: ['agentcache'], ttl: '1h' });
  const made = await create();
  assert.equal(made.status, 200, made.body);
  assert.equal(made.headers['x-cache'], 'MISS');
  const child = made.json.auth as { client_token: string; accessor: string };
  assert.equal((await create()).json.auth.client_token, child.client_token);
  const asChild = { 'X-Vault-Token': child.client_token };
  const e = leased(await creds(asChild), 'MISS');
  assert.equal(leased(await creds(asChild), 'HIT').lease_id, e.lease_id);
  assert.equal((await clear({ type: 'token_accessor', value: child.accessor })).status, 200);
  leased(await creds(asChild), 'MISS');
  const remade = await create();
  assert.equal(remade.headers['x-cache'], 'MISS');
  assert.notEqual(remade.json.auth.client_token, child.client_token);

  // all
  leased(await creds(), 'HIT');
  assert.equal((await clear({ type: 'all' })).status, 200);
  leased(await creds(), 'MISS');

  const empty = await request(agent.port, 'POST', '/agent/v1/cache-clear');
  assert.equal(empty.status, 400);
  assert.deepEqual(empty.json, { errors: ['failed to parse JSON input: empty JSON provided'] });
  assert.deepEqual((await clear({ value: 'x' })).json, { errors: ['failed to parse clear input: no type provided'] });
  const bogus = await clear({ type: 'bogus', value: 'x' });
  assert.equal(bogus.status, 400);
  assert.deepEqual(bogus.json, { errors: ['failed to clear cache: invalid type provided'] });
  const noValue = await clear({ type: 'lease' });
  assert.equal(noValue.status, 500);
  assert.deepEqual(noValue.json, { errors: ['failed to clear cache: lease not provided'] });
  // Nothing secret reached the agent's log.
  assert.equal(agent.agent.output().includes(agent.token()), false);
  assert.equal(agent.agent.output().includes(child.client_token), false);
});
