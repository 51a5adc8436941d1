// Process supervisor mode end to end, the child's lifecycle: its own exit ends the agent with
// its code, the agent's SIGTERM stops it (SIGKILL after the kill timeout when it ignores the
// signal), and a command that cannot start or an unusable config ends the agent with 1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { approleRole, startAgent, waitFor, writeApproleConfig } from '../helpers.js';
import { alive, childCommand, entries, starts } from './child.js';

let srv: TestServer;
let dir: string;
const CANARY = 'canary-Pq3Zr8Ty';

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-exec-life-'));
  await srv.api('POST', 'sys/policies/acl/app', { policy: 'path "secret/*" { capabilities = ["read"] }' });
  for (const [path, data] of [['db', { password: 'pw-1' }], ['canary', { password: CANARY }]] as const) {
    const r = await srv.api('POST', `secret/data/${path}`, { data });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function configFor(name: string, exec: string, extra = '', contents = '{{ with secret \\"secret/db\\" }}{{ .Data.data.password }}{{ end }}'): Promise<string> {
  const ids = await approleRole(srv, `life-${name}`, { token_ttl: '60s', token_policies: ['app'] });
  return writeApproleConfig(srv, dir, name, ids, '', `
env_template "DB_PASSWORD" {
  contents = "${contents}"
}
exec {
  ${exec}
}
${extra}`);
}

test('a child that exits 3 on its own ends the agent with exit code 3', async () => {
  const record = join(dir, 'exit.jsonl');
  const agent = startAgent([`-config=${await configFor('exit', `command = ${childCommand(dir, record)}`)}`]);
  const child = await waitFor('the child', () => starts(record)[0], 20_000, agent);
  assert.equal(child.password, 'pw-1');
  writeFileSync(`${record}.exit`, '3');
  assert.equal(await agent.exited, 3, agent.output());
  assert.match(agent.output(), /child process exited process_id=\d+ exit_code=3/);
});

test('the child reads the agent\'s stdin; the agent\'s SIGTERM gives it restart_stop_signal (SIGTERM by default); the agent exits 0', async () => {
  const record = join(dir, 'term.jsonl');
  const agent = startAgent([`-config=${await configFor('term', `command = ${childCommand(dir, record)}`)}`], {}, { stdin: 'pipe' });
  const child = await waitFor('the child', () => starts(record)[0], 20_000, agent);
  agent.child.stdin?.write('hello child\n');
  await waitFor('the line on stdin', () => entries(record).find((e) => e.event === 'stdin'), 5000, agent);
  assert.equal(await agent.stop('SIGTERM'), 0, agent.output());
  assert.deepEqual(entries(record).map((e) => [e.event, e.pid, e.signal ?? e.line]),
    [['start', child.pid, undefined], ['stdin', child.pid, 'hello child'], ['signal', child.pid, 'SIGTERM']]);
  assert.equal(alive(child.pid), false);
});

test('a child that ignores the signal is killed once the kill timeout has passed', async () => {
  const record = join(dir, 'ignore.jsonl');
  const config = await configFor('ignore', `command = ${childCommand(dir, record, 'ignore')}\n restart_stop_signal = "SIGUSR1"`);
  const agent = startAgent([`-config=${config}`], { LOCKBOX_AGENT_EXEC_KILL_TIMEOUT: '1500ms' });
  const child = await waitFor('the child', () => starts(record)[0], 20_000, agent);
  const sentAt = Date.now();
  agent.child.kill('SIGINT');
  await waitFor('the signal', () => entries(record).find((e) => e.event === 'signal'), 5000, agent);
  assert.ok(alive(child.pid), 'the child outlives its signal until the timeout');
  assert.equal(await agent.exited, 0, agent.output());
  assert.ok(Date.now() - sentAt >= 1400, 'not killed before the timeout');
  assert.equal(alive(child.pid), false);
  assert.deepEqual(entries(record).map((e) => [e.event, e.signal]), [['start', undefined], ['signal', 'SIGUSR1']]);
  assert.match(agent.output(), /timeout waiting for process to terminate, killing it/);
});

test('a command under sh -c gets its signal through its process group; child_process_stdout collects its output', async () => {
  const out = join(dir, 'sh.out');
  const record = join(dir, 'sh.jsonl');
  const script = JSON.parse(childCommand(dir, record)) as string[];
  const agent = startAgent([`-config=${await configFor('sh', `command = ["echo started; ${script.join(' ')}"]\n child_process_stdout = "${out}"`)}`]);
  const child = await waitFor('the child', () => starts(record)[0], 20_000, agent);
  assert.equal(await agent.stop('SIGTERM'), 0, agent.output());
  assert.deepEqual(entries(record).map((e) => [e.event, e.pid, e.signal]), [['start', child.pid, undefined], ['signal', child.pid, 'SIGTERM']]);
  assert.equal(readFileSync(out, 'utf8'), 'started\n');
});

test('a command that cannot start ends the agent with 1; exit_after_auth is refused with exec', async () => {
  const agent = startAgent([`-config=${await configFor('missing', `command = ["${join(dir, 'no-such-program')}"]`)}`]);
  assert.equal(await agent.exited, 1, agent.output());
  assert.match(agent.output(), /error starting the child process error=".*ENOENT"/);
  const once = startAgent([`-config=${await configFor('once', `command = ["true"]`)}`, '-exit-after-auth']);
  assert.equal(await once.exited, 1);
  assert.match(once.output(), /exit_after_auth cannot be used with exec/);
});

test('a template error quoting a secret value is logged without it; exit_on_retry_failure ends the agent with 1 and no child', async () => {
  const record = join(dir, 'bad.jsonl');
  const config = await configFor('bad', `command = ${childCommand(dir, record)}`, 'template_config { exit_on_retry_failure = true }',
    '{{ with secret \\"secret/canary\\" }}{{ .Data.data.password | parseInt }}{{ end }}');
  const agent = startAgent([`-config=${config}`, '-log-level=trace']);
  assert.equal(await agent.exited, 1, agent.output());
  assert.match(agent.output(), /env_template\[DB_PASSWORD\]: execute: .*parsing "\[redacted\]": invalid syntax/);
  assert.equal(agent.output().includes(CANARY), false, agent.output());
  assert.deepEqual(entries(record), []);
});
