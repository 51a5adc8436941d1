// Tokens through the caching agent end to end: a token created through the proxy is cached,
// renewed (renew-self) while it may be, and evicted near its max TTL; revocations through the
// agent evict a token with its children, or (revoke-orphan) leave the children cached; logins
// made through the agent are cached; keys the cache stanza does not implement stop the agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { approleRole, startAgent, waitFor } from '../helpers.js';
import { request, startCachingAgent, type CachingAgent } from './helpers.js';

let srv: TestServer;
let dir: string;
let agent: CachingAgent;

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-cache-tok-'));
  const policy = 'path "auth/token/create" { capabilities = ["update"] }\npath "auth/approle/login" { capabilities = ["update"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/creator', { policy })).status, 204);
  agent = await startCachingAgent(srv, dir, 'tok', ['creator']);
});

after(async () => {
  const code = await agent?.agent.stop();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 0, agent?.agent.output());
});

const create = (body: Record<string, unknown>, token?: string) =>
  request(agent.port, 'POST', '/v1/auth/token/create', { 'Content-Type': 'application/json', ...(token ? { 'X-Vault-Token': token } : {}) }, body);
const lookup = async (token: string) => srv.api('POST', 'auth/token/lookup', { token });

test('a token created through the proxy is cached, renewed, and evicted near its max TTL', async () => {
  const body = { policies: ['creator'], ttl: '3s', explicit_max_ttl: '8s' };
  const made = await create(body);
  assert.equal(made.status, 200, made.body);
  assert.equal(made.headers['x-cache'], 'MISS');
  const token = made.json.auth.client_token as string;
  const again = await create(body);
  assert.equal(again.headers['x-cache'], 'HIT');
  assert.equal(again.json.auth.client_token, token);
  const born = Date.now();
  // The agent renews it (renew-self) before its 3 s run out, so it outlives them.
  await waitFor('a renewal', async () => ((await lookup(token)).body?.data?.last_renewal_time ? true : undefined), 6000, agent.agent);
  await waitFor('3.5 s', () => (Date.now() - born > 3500 ? true : undefined));
  assert.equal((await lookup(token)).status, 200);
  // Near the max TTL renewals stop and the entry goes: the same request makes a new token.
  const fresh = await waitFor('eviction', async () => {
    const r = await create(body);
    return r.headers['x-cache'] === 'MISS' ? r : undefined;
  }, 10_000, agent.agent);
  assert.notEqual(fresh.json.auth.client_token, token);
  // revoke-self through the agent with that token evicts it.
  const revoked = await request(agent.port, 'POST', '/v1/auth/token/revoke-self', { 'X-Vault-Token': fresh.json.auth.client_token });
  assert.equal(revoked.status, 204, revoked.body);
  assert.equal((await create(body)).headers['x-cache'], 'MISS');
});

test('revoke-orphan through the agent evicts the token and leaves its children cached', async () => {
  const childReq = { policies: ['creator'], ttl: '1h', meta: { n: 'child' } };
  const child = (await create(childReq)).json.auth.client_token as string;
  const gcReq = { policies: ['creator'], ttl: '1h', meta: { n: 'grandchild' } };
  const gc = await create(gcReq, child);
  assert.equal(gc.headers['x-cache'], 'MISS');
  assert.equal((await create(gcReq, child)).headers['x-cache'], 'HIT');
  const r = await request(agent.port, 'POST', '/v1/auth/token/revoke-orphan', { 'X-Vault-Token': srv.rootToken }, { token: child });
  assert.equal(r.status, 204, r.body);
  assert.equal((await create(childReq)).headers['x-cache'], 'MISS');
  // The grandchild still answers from the cache, and still works.
  const still = await create(gcReq, child);
  assert.equal(still.headers['x-cache'], 'HIT');
  assert.equal((await lookup(gc.json.auth.client_token)).status, 200);
  // auth/token/revoke of a token evicts it and what was created with it.
  const parent = (await create({ policies: ['creator'], ttl: '1h', meta: { n: 'p' } })).json.auth.client_token as string;
  const kidReq = { policies: ['creator'], ttl: '1h', meta: { n: 'kid' } };
  await create(kidReq, parent);
  assert.equal((await create(kidReq, parent)).headers['x-cache'], 'HIT');
  assert.equal((await request(agent.port, 'POST', '/v1/auth/token/revoke', { 'X-Vault-Token': srv.rootToken }, { token: parent })).status, 204);
  assert.equal((await create(kidReq, parent)).status, 403);
});

test('a login through the agent is cached (an orphan token)', async () => {
  const ids = await approleRole(srv, 'cache-login', { token_ttl: '1h', token_policies: ['default'] });
  const login = () => request(agent.port, 'POST', '/v1/auth/approle/login', { 'Content-Type': 'application/json' }, { role_id: ids.roleId, secret_id: ids.secretId });
  const first = await login();
  assert.equal(first.status, 200, first.body);
  assert.equal(first.json.auth.orphan, true);
  const second = await login();
  assert.equal(second.headers['x-cache'], 'HIT');
  assert.equal(second.json.auth.client_token, first.json.auth.client_token);
});

test('cache keys lockbox agent does not implement stop it at start, by name', async () => {
  const config = join(dir, 'persist.hcl');
  writeFileSync(config, `
vault { address = "${srv.url}" }
cache {
  persist = {
    type = "kubernetes"
    path = "${dir}/cache"
  }
}
listener "tcp" {
  address = "127.0.0.1:0"
  tls_disable = true
}
`);
  const refused = startAgent([`-config=${config}`]);
  assert.notEqual(await refused.exited, 0);
  assert.match(refused.output(), /'persist' is not supported by lockbox agent/);
});
