// End to end: a real server in this process, `lockbox agent` as a separate process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { runLockbox } from '../../cli/helpers.js';
import { approleRole, lookupSelf, readIfExists, startAgent, waitFor, writeApproleConfig } from '../helpers.js';

let srv: TestServer;
let dir: string;

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function approleConfig(name: string, ids: { roleId: string; secretId: string }, extra = '', sinkExtra = ''): { config: string; sink: string; secretFile: string } {
  const sink = join(dir, `${name}-token`);
  const config = writeApproleConfig(srv, dir, name, ids, `sink "file" {\n    ${sinkExtra}\n    config = {\n      path = "${sink}"\n      mode = 0600\n    }\n  }`, extra);
  const secretFile = join(dir, `${name}-secret`);
  return { config, sink, secretFile };
}

test('approle auto-auth: the sink holds a working token; pid_file is written and removed', async () => {
  const ids = await approleRole(srv, 'e2e-basic', { token_ttl: '60s', token_policies: ['default'] });
  const pid = join(dir, 'agent.pid');
  const { config, sink, secretFile } = approleConfig('basic', ids, `pid_file = "${pid}"`);
  const agent = startAgent([`-config=${config}`]);
  try {
    const token = await waitFor('the sink file', () => readIfExists(sink), 15_000, agent);
    assert.equal(await lookupSelf(srv, token), 200);
    assert.equal(readFileSync(sink, 'utf8'), token);
    assert.equal((await import('node:fs')).statSync(sink).mode & 0o777, 0o600);
    assert.equal(readFileSync(pid, 'utf8'), String(agent.child.pid));
    assert.equal(existsSync(secretFile), false, 'the secret-id file is removed after reading');
  } finally {
    assert.equal(await agent.stop('SIGTERM'), 0, agent.output());
  }
  assert.equal(existsSync(pid), false);
  assert.match(agent.output(), /authentication successful, sending token to sinks/);
  assert.equal(agent.output().includes(ids.secretId), false);
  assert.equal(agent.output().includes(readFileSync(sink, 'utf8')), false);
});

test('-exit-after-auth logs in once, writes the sink and exits 0', async () => {
  const ids = await approleRole(srv, 'e2e-once', { token_ttl: '60s' });
  const { config, sink } = approleConfig('once', ids);
  const agent = startAgent([`-config=${config}`, '-exit-after-auth', '-log-level=debug']);
  assert.equal(await agent.exited, 0, agent.output());
  assert.equal(await lookupSelf(srv, readFileSync(sink, 'utf8')), 200);
});

test('-exit-after-auth exits non-zero when the login fails; exit_on_err too', async () => {
  const { config } = approleConfig('bad', { roleId: 'nope', secretId: 'nope' }, '', '');
  writeFileSync(config, readFileSync(config, 'utf8').replace('method "approle" {', 'method "approle" {\n exit_on_err = true'));
  const agent = startAgent([`-config=${config}`]);
  assert.equal(await agent.exited, 1, agent.output());
  assert.match(agent.output(), /error authenticating/);
});

test('token expiry: the sink keeps its token through renewals and holds a new one before max TTL', async () => {
  const ids = await approleRole(srv, 'e2e-short', { token_ttl: '3s', token_max_ttl: '8s' });
  const { config, sink, secretFile } = approleConfig('short', ids);
  const agent = startAgent([`-config=${config}`]);
  try {
    const first = await waitFor('the first token', () => readIfExists(sink), 15_000, agent);
    assert.equal(existsSync(secretFile), false, 'the secret-id file is removed after reading');
    // Renewed at ~2.1 s and ~4.2 s: the token stays the same and keeps working past its 3 s TTL.
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal(readFileSync(sink, 'utf8'), first);
    assert.equal(await lookupSelf(srv, first), 200);
    assert.match(agent.output(), /renewed auth token/);
    const second = await waitFor('a new token', () => {
      const t = readIfExists(sink);
      return t && t !== first ? t : undefined;
    }, 10_000, agent);
    // Measured on the server's clock (creation times), so a loaded machine cannot skew it.
    const created = async (t: string) => (await (await fetch(`${srv.url}/v1/auth/token/lookup`, { method: 'POST', headers: { 'X-Vault-Token': srv.rootToken }, body: JSON.stringify({ token: t }) })).json() as { data: { creation_time: number } }).data.creation_time;
    const gap = (await created(second)) - (await created(first));
    assert.ok(gap < 8, `new token ${gap} s after the first\n${agent.output()}`);
    assert.equal(await lookupSelf(srv, second), 200, 're-auth worked although the secret-id file is gone');
    await waitFor('the old token to expire', async () => ((await lookupSelf(srv, first)) === 403 ? true : undefined), 8000);
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
});

test('a config error exits 1 naming the file and line', async () => {
  const bad = join(dir, 'bad.hcl');
  writeFileSync(bad, 'auto_auth {\n  method "approle" {\n    config = { role_id_file_path = "/r" }\n    mount = "x"\n  }\n}\n');
  const agent = startAgent([`-config=${bad}`]);
  assert.equal(await agent.exited, 1);
  assert.match(agent.output(), new RegExp(`^Error loading configuration from ${bad}: error parsing 'auto_auth': error parsing 'method': ${bad}:4:5: unknown or unsupported field "mount" in "auto_auth.method"`));
});

test('the lockbox CLI honours VAULT_AGENT_ADDR over VAULT_ADDR', async () => {
  const r = await runLockbox(['read', '-format=json', 'sys/mounts'], { HOME: dir, VAULT_ADDR: 'http://127.0.0.1:1', VAULT_AGENT_ADDR: srv.url, VAULT_TOKEN: srv.rootToken });
  assert.equal(r.code, 0, r.stderr);
  const flagWins = await runLockbox(['read', `-address=http://127.0.0.1:1`, 'sys/mounts'], { HOME: dir, VAULT_AGENT_ADDR: srv.url, VAULT_TOKEN: srv.rootToken });
  assert.equal(flagWins.code, 2);
});
