// The server goes away under a running agent: `lockbox server` as a process over a SQLite file
// is stopped for several seconds and started again (and unsealed). The agent retries, does not
// exit and leaves its files alone; afterwards it renews (or logs in again) and renders a KV
// change made after the restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from '../../server/process.js';
import { approleRole, lookupSelf, readIfExists, startAgent, waitFor, writeApproleConfig, type ServerApi } from '../helpers.js';

let dir = '';
let config = '';
let server: ServerProcess | undefined;
let key = '';
let root = '';
let srv: ServerApi;

async function start(): Promise<ServerProcess> {
  const s = await spawnServer(config);
  if (key) assert.equal((await unseal(s.url, [key])).sealed, false);
  return s;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agent-restart-'));
  config = join(dir, 'server.hcl');
  writeConfig(config, { db: join(dir, 'lockbox.db'), port: await freePort() });
  server = await start();
  const init = await call(server.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  assert.equal(init.status, 200, JSON.stringify(init.body));
  key = init.body.keys_base64[0];
  root = init.body.root_token;
  assert.equal((await unseal(server.url, [key])).sealed, false);
  const url = server.url;
  srv = {
    url,
    api: async (method: string, path: string, body?: unknown) => ({ ...(await call(url, method, path, { token: root, body })), headers: new Headers() }),
  };
  assert.equal((await srv.api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } })).status, 204);
  assert.equal((await srv.api('POST', 'sys/policies/acl/app', { policy: 'path "secret/*" { capabilities = ["read"] }' })).status, 204);
});
after(async () => {
  await server?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const put = async (value: string) => assert.equal((await srv.api('POST', 'secret/data/app', { data: { v: value } })).status, 200);

test('a server restart: retries without exiting or touching the files, then renewals or a new login, and the next KV version', async () => {
  await put('one');
  const ids = await approleRole(srv, 'restart', { token_ttl: '12s', token_max_ttl: '10m', token_policies: ['app'] });
  const dest = join(dir, 'app.txt');
  const sink = join(dir, 'token');
  const agentConfig = writeApproleConfig(srv, dir, 'agent', ids, `sink "file" { config = { path = "${sink}" } }`, `
template_config { static_secret_render_interval = "2s" }
template {
  contents = "{{ with secret \\"secret/app\\" }}{{ .Data.data.v }}{{ end }}"
  destination = "${dest}"
}`);
  const agent = startAgent([`-config=${agentConfig}`]);
  try {
    await waitFor('the first render', () => (readIfExists(dest) === 'one' ? true : undefined), 15_000, agent);
    const token = readFileSync(sink, 'utf8');
    await server!.stop('SIGTERM');
    const downAt = agent.output().length;
    await new Promise((r) => setTimeout(r, 7000));
    assert.equal(agent.child.exitCode, null, `the agent exited\n${agent.output()}`);
    assert.equal(readFileSync(dest, 'utf8'), 'one');
    assert.equal(readFileSync(sink, 'utf8'), token);
    const during = agent.output().slice(downAt);
    assert.match(during, /retrying a fetch|error renewing token|error authenticating/, during);
    assert.match(during, /ECONNREFUSED|connection refused/);
    server = await start();
    const upAt = agent.output().length;
    await put('two');
    await waitFor('the new version', () => (readIfExists(dest) === 'two' ? true : undefined), 25_000, agent);
    await waitFor('a renewal or a new login after the restart',
      () => (/renewed auth token|authentication successful/.test(agent.output().slice(upAt)) ? true : undefined), 20_000, agent);
    assert.equal(await lookupSelf(srv, readFileSync(sink, 'utf8')), 200);
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
  assert.equal(agent.output().includes(root), false);
});
