// Process supervisor mode end to end, secret changes: a real server, `lockbox agent` as its own
// process, and a child that records its pid, DB_PASSWORD and the signals it gets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { approleRole, startAgent, waitFor, writeApproleConfig } from '../helpers.js';
import { alive, childCommand, entries, starts } from './child.js';

let srv: TestServer;
let dir: string;
const CANARY1 = 'canary-Hx7Qe2Lm';
const CANARY2 = 'canary-Vb4Nt9Ws';

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-exec-'));
  await srv.api('POST', 'sys/policies/acl/app', { policy: 'path "secret/*" { capabilities = ["read"] }' });
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = async (path: string, data: Record<string, unknown>) => {
  const r = await srv.api('POST', `secret/data/${path}`, { data });
  assert.equal(r.status, 200, JSON.stringify(r.body));
};

async function configFor(name: string, record: string, execBody: string, role: Record<string, unknown> = { token_ttl: '60s' }, interval = '1s'): Promise<string> {
  const ids = await approleRole(srv, `exec-${name}`, { ...role, token_policies: ['app'] });
  return writeApproleConfig(srv, dir, name, ids, '', `
template_config { static_secret_render_interval = "${interval}" }
env_template "DB_PASSWORD" {
  contents = "{{ with secret \\"secret/${name}\\" }}{{ .Data.data.password }}{{ end }}"
  error_on_missing_key = true
}
env_template "DB_USER" {
  contents = "{{ with secret \\"secret/${name}\\" }}{{ .Data.data.user }}{{ end }}"
}
exec {
  command = ${childCommand(dir, record)}
  ${execBody}
}`);
}

test('always: a kv put sends restart_stop_signal (SIGINT) to the child and a new one sees the new value; no value reaches the log', async () => {
  await put('always', { password: CANARY1, user: 'app' });
  const record = join(dir, 'always.jsonl');
  const config = await configFor('always', record, 'restart_stop_signal = "SIGINT"');
  const agent = startAgent([`-config=${config}`, '-log-level=trace'], { AGENT_MARK: 'from-the-agent' });
  try {
    const [first] = await waitFor('the first child', () => (starts(record).length > 0 ? starts(record) : undefined), 20_000, agent);
    assert.equal(first?.password, CANARY1);
    assert.equal(first?.mark, 'from-the-agent', 'the child gets the agent\'s environment');
    await put('always', { password: CANARY2, user: 'app' });
    const second = await waitFor('the restarted child', () => starts(record)[1], 20_000, agent);
    assert.equal(second.password, CANARY2);
    assert.notEqual(second.pid, first?.pid);
    const signals = entries(record).filter((e) => e.event === 'signal');
    assert.deepEqual(signals.map((e) => [e.pid, e.signal]), [[first?.pid, 'SIGINT']]);
    assert.equal(alive(first?.pid as number), false);
    assert.match(agent.output(), /exec\.server: stopping process process_id=\d+/);
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
  // The agent's SIGTERM reached the second child as restart_stop_signal.
  const last = entries(record).at(-1);
  assert.equal(last?.event, 'signal');
  assert.equal(last?.signal, 'SIGINT');
  const out = agent.output();
  assert.equal(out.includes(CANARY1) || out.includes(CANARY2), false, out);
});

test('never: a changed secret leaves the same child running', async () => {
  await put('never', { password: 'one', user: 'app' });
  const record = join(dir, 'never.jsonl');
  const config = await configFor('never', record, 'restart_on_secret_changes = "never"');
  const agent = startAgent([`-config=${config}`]);
  try {
    const first = await waitFor('the child', () => starts(record)[0], 20_000, agent);
    assert.equal(first.password, 'one');
    await put('never', { password: 'two', user: 'app' });
    await waitFor('the update to be seen', () => (/detected update, but not restarting process/.test(agent.output()) ? true : undefined), 20_000, agent);
    assert.deepEqual(entries(record).map((e) => [e.event, e.pid]), [['start', first.pid]]);
    assert.ok(alive(first.pid));
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
  assert.deepEqual(entries(record).map((e) => [e.event, e.signal]), [['start', undefined], ['signal', 'SIGTERM']]);
});

test('a new auto-auth token renders the variables again at once (here 5 m before the next poll), and the change restarts the child', async () => {
  await put('token', { password: 'before', user: 'app' });
  const record = join(dir, 'token.jsonl');
  const config = await configFor('token', record, '', { token_ttl: '2s', token_max_ttl: '4s' }, '5m');
  const agent = startAgent([`-config=${config}`]);
  try {
    const first = await waitFor('the child', () => starts(record)[0], 20_000, agent);
    assert.equal(first.password, 'before');
    await put('token', { password: 'after', user: 'app' });
    const second = await waitFor('the child under the new token', () => starts(record)[1], 20_000, agent);
    assert.equal(second.password, 'after');
    assert.ok((agent.output().match(/authentication successful/g)?.length ?? 0) >= 2, agent.output());
  } finally {
    assert.equal(await agent.stop(), 0, agent.output());
  }
});
