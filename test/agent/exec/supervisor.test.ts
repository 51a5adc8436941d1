// The supervisor's timing on the manual clock, with a launcher that records what it would run:
// the 2 s debounce, restart_stop_signal then SIGKILL at the kill timeout, "never", the child's
// own exit, stop(); and the env_template output's "all rendered, and changed" rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Launcher } from '../../../src/agent/exec/child.js';
import { ChildOutput, commandPrep, processLauncher } from '../../../src/agent/exec/child.js';
import { EnvOutput } from '../../../src/agent/exec/env-templates.js';
import { Supervisor } from '../../../src/agent/exec/supervisor.js';
import type { EnvTemplate } from '../../../src/agent/config/types.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler } from '../../../src/agent/schedule.js';
import { compileTemplate, type Compiled } from '../../../src/agent/template/runner.js';

type Fake = { pid: number; env: NodeJS.ProcessEnv; signals: string[]; exit: (code: number) => void; exitsOn?: string };

function setup(restart: 'always' | 'never' = 'always', o: { failLaunch?: boolean; exitsOn?: string } = {}) {
  const clock = new ManualScheduler();
  const lines: string[] = [];
  const children: Fake[] = [];
  let nextPid = 100;
  const launch: Launcher = async (env) => {
    if (o.failLaunch) throw new Error('spawn ./app ENOENT');
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => { exit = r; });
    const c: Fake = { pid: nextPid++, env, signals: [], exit, exitsOn: o.exitsOn };
    children.push(c);
    return {
      pid: c.pid, exited,
      signal: (sig) => {
        c.signals.push(sig);
        if (sig === 'SIGKILL' || sig === c.exitsOn) c.exit(128 + (sig === 'SIGKILL' ? 9 : 2));
      },
    };
  };
  const sup = new Supervisor({
    exec: { restartOnSecretChanges: restart, restartStopSignal: 'SIGINT' }, launch, env: { PATH: '/bin', DB_PASSWORD: 'from-agent' },
    scheduler: clock, log: createLogger('trace', (l) => lines.push(l)),
  });
  let done: number | undefined;
  void sup.done.then((c) => { done = c; });
  return { clock, lines, children, sup, done: () => done };
}

test('the first start waits until the variables have been quiet for 2 s; rendered values win over the agent\'s', async () => {
  const { clock, children, sup } = setup();
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(1500);
  sup.update({ DB_PASSWORD: 'b' });
  await clock.advance(1999);
  assert.equal(children.length, 0);
  await clock.advance(1);
  assert.equal(children.length, 1);
  assert.deepEqual(children[0]?.env, { PATH: '/bin', DB_PASSWORD: 'b' });
  assert.equal(sup.pid, 100);
});

test('always: restart_stop_signal, then a new child once the old one exits; its exit is not the agent\'s', async () => {
  const { clock, children, sup, done } = setup('always', { exitsOn: 'SIGINT' });
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  sup.update({ DB_PASSWORD: 'b' });
  await clock.advance(2000);
  assert.deepEqual(children.map((c) => [c.pid, c.signals, c.env.DB_PASSWORD]), [[100, ['SIGINT'], 'a'], [101, [], 'b']]);
  assert.equal(done(), undefined);
  assert.equal(sup.pid, 101);
});

test('always: a child that ignores the signal gets SIGKILL at 30 s, then the new one starts', async () => {
  const { clock, children, sup, lines } = setup('always');
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  sup.update({ DB_PASSWORD: 'b' });
  await clock.advance(2000);
  assert.deepEqual(children[0]?.signals, ['SIGINT']);
  await clock.advance(29_999);
  assert.deepEqual(children[0]?.signals, ['SIGINT']);
  assert.equal(children.length, 1, 'no second child while the first runs');
  await clock.advance(1);
  assert.deepEqual(children[0]?.signals, ['SIGINT', 'SIGKILL']);
  assert.equal(children.length, 2);
  assert.ok(lines.some((l) => l.includes('timeout waiting for process to terminate')));
});

test('never: the running child stays; a change is logged', async () => {
  const { clock, children, sup, lines } = setup('never');
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  sup.update({ DB_PASSWORD: 'b' });
  await clock.advance(10_000);
  assert.deepEqual(children.map((c) => [c.pid, c.signals]), [[100, []]]);
  assert.ok(lines.some((l) => /detected update, but not restarting process process_id=100/.test(l)));
  assert.equal(lines.some((l) => l.includes('"a"') || l.includes('=a ') || l.includes('=b')), false, lines.join(''));
});

test('a child that exits on its own settles done with its code', async () => {
  const { clock, children, sup, done } = setup();
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  children[0]?.exit(3);
  await clock.settle();
  assert.equal(done(), 3);
  assert.equal(sup.pid, undefined);
});

test('stop(): a pending start is dropped; a running child gets the signal, and SIGKILL after the timeout', async () => {
  const pending = setup();
  pending.sup.update({ DB_PASSWORD: 'a' });
  await pending.clock.advance(1000);
  await pending.sup.stop();
  await pending.clock.advance(5000);
  assert.equal(pending.children.length, 0);

  const { clock, children, sup, done } = setup();
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  let stopped = false;
  void sup.stop().then(() => { stopped = true; });
  await clock.advance(29_000);
  assert.equal(stopped, false);
  assert.deepEqual(children[0]?.signals, ['SIGINT']);
  await clock.advance(1000);
  assert.equal(stopped, true);
  assert.deepEqual(children[0]?.signals, ['SIGINT', 'SIGKILL']);
  assert.equal(done(), undefined, 'a stopped child is not an exit of its own');
  sup.update({ DB_PASSWORD: 'b' });
  await clock.advance(5000);
  assert.equal(children.length, 1, 'nothing starts after stop()');
});

test('a command that cannot start settles done with 1', async () => {
  const { clock, sup, done, lines } = setup('always', { failLaunch: true });
  sup.update({ DB_PASSWORD: 'a' });
  await clock.advance(2000);
  assert.equal(done(), 1);
  assert.ok(lines.some((l) => l.includes('error starting the child process') && l.includes('ENOENT')));
});

test('env_template output: handed on once every variable has rendered, then only on a change, sorted by name', async () => {
  const spec = (name: string): EnvTemplate => ({ name, contents: 'x', errorOnMissingKey: false, leftDelimiter: '{{', rightDelimiter: '}}', functionDenylist: [] });
  const [b, a] = [compileTemplate(spec('B'), 'B'), compileTemplate(spec('A'), 'A')] as [Compiled<EnvTemplate>, Compiled<EnvTemplate>];
  const seen: Record<string, string>[] = [];
  const out = new EnvOutput([b, a], (v) => seen.push(v));
  assert.equal(await out.deliver([{ t: b, text: '1' }]), true);
  assert.deepEqual(seen, []);
  await out.deliver([{ t: a, text: '2' }]); // B keeps its last text
  await out.deliver([{ t: b, text: '1' }, { t: a, text: '2' }]);
  await out.deliver([{ t: b, text: '3' }, { t: a, text: '2' }]);
  assert.deepEqual(seen.map((v) => Object.entries(v)), [[['A', '2'], ['B', '1']], [['A', '2'], ['B', '3']]]);
});

test('commandPrep: one string with spaces runs under sh -c; anything else runs as given', () => {
  assert.deepEqual(commandPrep(['./app --port 1']), { argv: ['/bin/sh', '-c', './app --port 1'], shell: true });
  assert.deepEqual(commandPrep(['./app']), { argv: ['./app'], shell: false });
  assert.deepEqual(commandPrep(['./app', '--port', '1']), { argv: ['./app', '--port', '1'], shell: false });
});

test('processLauncher: the exit code, 128 + the signal\'s number, and a NUL in a value refused naming only the variable', async () => {
  const out = new ChildOutput(undefined, undefined);
  const exits = await processLauncher([process.execPath, '-e', 'process.exit(4)'], out)({ PATH: process.env.PATH });
  assert.equal(await exits.exited, 4);
  const sleeper = await processLauncher([process.execPath, '-e', 'setInterval(() => {}, 1000)'], out)({});
  sleeper.signal('SIGTERM');
  assert.equal(await sleeper.exited, 128 + 15);
  await assert.rejects(processLauncher(['true'], out)({ DB_PASSWORD: 's3cr3t\0x' }), (err: Error) => {
    assert.equal(err.message, 'environment variable DB_PASSWORD holds a NUL byte');
    return true;
  });
  await assert.rejects(processLauncher(['/nonexistent/app'], out)({}), /ENOENT/);
});
