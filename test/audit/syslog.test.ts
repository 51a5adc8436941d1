// The syslog device: enabling fails clearly without a daemon at /dev/log; against stand-in
// daemons (a unix stream socket, and a datagram socket bound by python3) records arrive
// framed with the facility's priority and the tag.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { startTestServer } from '../helpers/server.js';
import { openSyslogDevice } from '../../src/audit/devices/syslog.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

test('without a syslog daemon at /dev/log, enabling is a 400 that says so', { skip: existsSync('/dev/log') && '/dev/log exists here' }, async () => {
  const srv = await startTestServer();
  try {
    const res = await srv.api('PUT', 'sys/audit/syslog', { type: 'syslog', options: { facility: 'AUTH', tag: 'vault' } });
    assert.equal(res.status, 400);
    assert.match(res.body.errors[0], /\/dev\/log/);
    assert.deepEqual((await srv.api('GET', 'sys/audit')).body.data, {});
  } finally {
    await srv.close();
  }
});

test('an unknown facility is a 400', async () => {
  await assert.rejects(openSyslogDevice({ facility: 'KITCHEN' }, join(dir, 'none')), /facility/);
});

test('a stream socket daemon gets "<priority>timestamp host tag[pid]: record" lines', async () => {
  const path = join(dir, 'stream.sock');
  const received: string[] = [];
  const daemon = createServer((s) => s.on('data', (d) => received.push(d.toString('utf8'))));
  daemon.listen(path);
  await once(daemon, 'listening');
  const device = await openSyslogDevice({ facility: 'local3', tag: 'lockbox' }, path);
  await device.write('{"type":"request"}\n');
  while (!received.join('').includes('\n')) await new Promise((r) => setTimeout(r, 5));
  assert.match(received.join(''), new RegExp(`^<158>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ lockbox\\[${process.pid}\\]: \\{"type":"request"\\}\\n$`));
  await device.close();
  daemon.close();
});

const hasTools = spawnSync('python3', ['-c', 'import socket']).status === 0 && spawnSync('logger', ['--version']).status === 0;

test('a datagram daemon (as rsyslog and journald bind /dev/log) gets records through logger', { skip: !hasTools && 'needs python3 and logger' }, async () => {
  const path = join(dir, 'dgram.sock');
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(path)})`,
    'print("ready", flush=True)',
    'for _ in range(2): print(s.recv(65536).decode(), flush=True)',
  ].join('\n');
  const daemon = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  daemon.stdout.on('data', (d) => { out += d.toString('utf8'); });
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  const device = await openSyslogDevice({ facility: 'AUTH' }, path);
  await device.write('{"type":"response"}\n');
  await once(daemon, 'exit');
  assert.match(out, /^<38>.*vault.*: \{"type":"response"\}$/m);
  await assert.rejects(device.write('{"type":"lost"}\n'), 'nobody reads the socket any more: the write fails');
});
