// The API proxy end to end: the agent as its own process in front of a real server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { approleRole, readIfExists, startAgent, waitFor, writeApproleConfig, type AgentProcess } from '../helpers.js';
import { freePort } from '../../server/process.js';

let srv: TestServer;
let dir: string;

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-proxy-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});


type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };
function request(target: { port?: number; socketPath?: string }, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', ...target, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function proxyAgent(name: string, mode: string, listeners: string): Promise<{ agent: AgentProcess; sink: string }> {
  const ids = await approleRole(srv, `proxy-${name}`, { token_ttl: '60s', token_policies: ['default'] });
  const sink = join(dir, `${name}-token`);
  const config = writeApproleConfig(srv, dir, name, ids, `sink "file" { config = { path = "${sink}" } }`, `api_proxy { use_auto_auth_token = ${mode} }\n${listeners}`);
  const agent = startAgent([`-config=${config}`]);
  await waitFor('the sink', () => readIfExists(sink), 15_000, agent);
  return { agent, sink };
}

test('force: the auto-auth token replaces a bad one; lookup-self hides id and accessor; unix socket; 412; quit', async () => {
  const port = await freePort();
  const socketPath = join(dir, 'agent.sock');
  const { agent, sink } = await proxyAgent('force', '"force"', `
listener "tcp" {
  address = "127.0.0.1:${port}"
  tls_disable = true
  require_request_header = true
  agent_api { enable_quit = true }
}
listener "unix" {
  address = "${socketPath}"
  tls_disable = true
  socket_mode = "0660"
}`);
  try {
    await waitFor('the tcp listener', async () => (await request({ port }, 'GET', '/v1/sys/health').catch(() => undefined)) ? true : undefined, 10_000, agent);
    const missing = await request({ port }, 'GET', '/v1/auth/token/lookup-self');
    assert.equal(missing.status, 412);
    assert.deepEqual(JSON.parse(missing.body), { errors: ['missing "X-Vault-Request" header'] });
    const looked = await request({ port }, 'GET', '/v1/auth/token/lookup-self', { 'X-Vault-Request': 'true', 'X-Vault-Token': 'hvs.not-a-token' });
    assert.equal(looked.status, 200, looked.body);
    const data = JSON.parse(looked.body).data;
    assert.equal('id' in data, false);
    assert.equal('accessor' in data, false);
    assert.deepEqual(data.policies, ['default']);
    assert.equal(looked.body.includes(readIfExists(sink) as string), false);
    assert.equal(statSync(socketPath).mode & 0o777, 0o660);
    const viaSocket = await request({ socketPath }, 'GET', '/v1/auth/token/lookup-self');
    assert.equal(viaSocket.status, 200);
    const quit = await request({ port }, 'POST', '/agent/v1/quit', { 'X-Vault-Request': 'true' });
    assert.equal(quit.status, 200);
    assert.equal(await agent.exited, 0, agent.output());
  } finally {
    await agent.stop();
  }
});

test('true: the token is added only when missing; upstream answers pass through', async () => {
  const port = await freePort();
  const { agent } = await proxyAgent('true', 'true', `listener "tcp" {\n address = "127.0.0.1:${port}"\n tls_disable = true\n}`);
  try {
    await waitFor('the tcp listener', async () => (await request({ port }, 'GET', '/v1/sys/health').catch(() => undefined)) ? true : undefined, 10_000, agent);
    const none = await request({ port }, 'GET', '/v1/auth/token/lookup-self');
    assert.equal(none.status, 200);
    const bad = await request({ port }, 'GET', '/v1/auth/token/lookup-self', { 'X-Vault-Token': 'hvs.not-a-token' });
    const direct = await fetch(`${srv.url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': 'hvs.not-a-token' } });
    assert.equal(bad.status, direct.status);
    assert.equal(bad.body, await direct.text());
    assert.equal(bad.headers['content-type'], direct.headers.get('content-type'));
    // A root-token request is passed as given, and its lookup is not scrubbed.
    const root = await request({ port }, 'GET', '/v1/auth/token/lookup-self', { 'X-Vault-Token': srv.rootToken });
    assert.equal(JSON.parse(root.body).data.id, srv.rootToken);
    const write = await request({ port }, 'PUT', '/v1/secret/data/proxied', { 'X-Vault-Token': srv.rootToken, 'Content-Type': 'application/json' }, JSON.stringify({ data: { a: '1' } }));
    assert.equal(write.status, 200, write.body);
    const read = await request({ port }, 'GET', '/v1/secret/data/proxied', { 'X-Vault-Token': srv.rootToken });
    assert.equal(JSON.parse(read.body).data.data.a, '1');
    assert.equal(await agent.stop('SIGINT'), 0);
  } finally {
    await agent.stop();
  }
});
