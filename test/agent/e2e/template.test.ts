// Templates end to end: KV v2 on a real server, the agent as its own process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { approleRole, readIfExists, startAgent, waitFor, writeApproleConfig } from '../helpers.js';

let srv: TestServer;
let dir: string;
const CANARY = 'canary-Zq8xPw3v';

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-tpl-'));
  await srv.api('POST', 'sys/policies/acl/app', { policy: 'path "secret/*" { capabilities = ["read", "list"] }' });
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function configFor(name: string, body: string): Promise<string> {
  const ids = await approleRole(srv, `tpl-${name}`, { token_ttl: '60s', token_policies: ['app'] });
  const config = writeApproleConfig(srv, dir, name, ids, '', body);
  return config;
}

const put = async (path: string, data: Record<string, unknown>) => {
  const r = await srv.api('POST', `secret/data/${path}`, { data });
  assert.equal(r.status, 200, JSON.stringify(r.body));
};

test('-exit-after-auth renders the template and writes the sink, then exits 0; perms = "0600"', async () => {
  await put('once', { user: 'app', port: 5432, ratio: 1.50 });
  const dest = join(dir, 'once.txt');
  const sink = join(dir, 'once-token');
  const config = await configFor('once', `
template {
  contents = "{{ with secret \\"secret/once\\" }}user={{ .Data.data.user }} port={{ .Data.data.port }} v={{ .Data.metadata.version }}{{ end }}"
  destination = "${dest}"
  perms = "0600"
}`);
  writeFileSync(config, readFileSync(config, 'utf8').replace('auto_auth {', `auto_auth {\n  sink "file" { config = { path = "${sink}" } }`));
  const agent = startAgent([`-config=${config}`, '-exit-after-auth']);
  assert.equal(await agent.exited, 0, agent.output());
  assert.equal(readFileSync(dest, 'utf8'), 'user=app port=5432 v=1');
  assert.equal(statSync(dest).mode & 0o777, 0o600);
  assert.ok(readIfExists(sink));
});

test('KV: a new version reaches the file on the 2 s interval and its command runs once; in between nothing changes', async () => {
  await put('app', { password: 'first' });
  const dest = join(dir, 'app.txt');
  const log = join(dir, 'app-commands.log');
  writeFileSync(dest, 'old');
  const config = await configFor('kv', `
template_config { static_secret_render_interval = "2s" }
template {
  contents = "{{ with secret \\"secret/app\\" }}{{ .Data.data.password }}{{ end }}"
  destination = "${dest}"
  exec { command = ["/bin/sh", "-c", "echo ran >> ${log}"] }
}`);
  const agent = startAgent([`-config=${config}`]);
  try {
    await waitFor('the first render', () => (readIfExists(dest) === 'first' ? true : undefined), 15_000, agent);
    await waitFor('the command', () => readIfExists(log), 5000, agent);
    const before = statSync(dest);
    await new Promise((r) => setTimeout(r, 2500)); // at least one more poll
    const same = statSync(dest);
    assert.equal(same.ino, before.ino);
    assert.equal(same.mtimeMs, before.mtimeMs);
    assert.equal(readFileSync(log, 'utf8'), 'ran\n');
    await put('app', { password: 'second' });
    const changedAt = Date.now();
    await waitFor('the new version', () => (readIfExists(dest) === 'second' ? true : undefined), 6000, agent);
    assert.ok(Date.now() - changedAt < 4000, `took ${Date.now() - changedAt} ms`);
    await waitFor('the second command', () => (readIfExists(log) === 'ran\nran\n' ? true : undefined), 5000, agent);
    assert.equal(statSync(dest).mode & 0o777, 0o644, 'an existing file keeps its mode');
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
});

test('a parse error exits 1 at start, naming the source and line', async () => {
  const src = join(dir, 'bad.ctmpl');
  writeFileSync(src, 'line one\n{{ if }}\n');
  const config = await configFor('parse', `template {\n source = "${src}"\n destination = "${join(dir, 'bad.out')}"\n}`);
  const agent = startAgent([`-config=${config}`]);
  assert.equal(await agent.exited, 1);
  assert.match(agent.output(), new RegExp(`${src}: parse: template: :2: missing value for if`));
  const unsupported = await configFor('unsup', `template {\n contents = "{{ service \\"web\\" }}"\n destination = "${join(dir, 'u.out')}"\n}`);
  const a2 = startAgent([`-config=${unsupported}`]);
  assert.equal(await a2.exited, 1);
  assert.match(a2.output(), /function "service" is not supported by lockbox agent/);
});

test('a missing key under error_on_missing_key keeps the old file and logs Go\'s message; exit_on_retry_failure exits 1; no secret in the output', async () => {
  await put('canary', { user: 'u', secret: CANARY });
  const dest = join(dir, 'strict.txt');
  writeFileSync(dest, 'keep me');
  const config = await configFor('strict', `
template_config { exit_on_retry_failure = true }
template {
  contents = "{{ with secret \\"secret/canary\\" }}{{ .Data.data.secret }}{{ .Data.data.pw }}{{ end }}"
  destination = "${dest}"
  error_on_missing_key = true
}`);
  const agent = startAgent([`-config=${config}`]);
  assert.equal(await agent.exited, 1, agent.output());
  assert.equal(readFileSync(dest, 'utf8'), 'keep me');
  assert.match(agent.output(), /execute: template: :1:\d+: executing "" at <\.Data\.data\.pw>: map has no entry for key "pw"/);
  assert.equal(agent.output().includes(CANARY), false);
  assert.equal(existsSync(join(dir, '.strict.txt.lockbox-tmp')), false);
});

test('wait { min }: the first render is held until the data has been quiet for min; -exit-after-auth waits for it', async () => {
  await put('waited', { v: 'w1' });
  const dest = join(dir, 'waited.txt');
  const config = await configFor('wait', `
template {
  contents = "{{ with secret \\"secret/waited\\" }}{{ .Data.data.v }}{{ end }}"
  destination = "${dest}"
  wait { min = "1500ms" }
}`);
  const started = Date.now();
  const agent = startAgent([`-config=${config}`, '-exit-after-auth']);
  assert.equal(await agent.exited, 0, agent.output());
  assert.equal(readFileSync(dest, 'utf8'), 'w1');
  assert.ok(Date.now() - started >= 1500, 'not written before min');
});
