// Signals to the real CLI: SIGTERM lets an in-flight request finish (a second one stops
// waiting), and SIGHUP reopens a log file that logrotate has moved away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rawConnect } from '../http/raw.js';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from './process.js';

let dir = '';
let config = '';
let logFile = '';
let unsealKeys: string[] = [];
let root = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-signals-'));
  config = join(dir, 'lockbox.hcl');
  logFile = join(dir, 'lockbox.log');
  writeConfig(config, { db: join(dir, 'lockbox.db'), port: await freePort(), extra: `log_file = ${JSON.stringify(logFile)}` });
  const server = await spawnServer(config);
  const init = await call(server.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  unsealKeys = init.body.keys;
  root = init.body.root_token;
  assert.equal(await server.stop('SIGTERM'), 0);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `text` has appeared on the server's standard output. */
async function stdoutShows(server: ServerProcess, text: string): Promise<void> {
  while (!server.stdout().includes(text)) await sleep(10);
}

/** Resolves once nothing accepts connections on the server's port any more. */
async function refusesConnections(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: hostname, port: Number(port) });
      s.once('connect', () => { s.destroy(); resolve(false); });
      s.once('error', () => resolve(true));
    });
    if (refused) return;
    await sleep(10);
  }
}

/**
 * Starts a PUT whose body is only half sent. `Expect: 100-continue` makes Node answer
 * "100 Continue" once the request is in the server's hands: proof it is in flight.
 */
async function halfSentPut(server: ServerProcess, path: string, body: string) {
  const conn = await rawConnect(server.url);
  await conn.write([
    `PUT /v1/${path} HTTP/1.1`, 'Host: localhost', `X-Vault-Token: ${root}`,
    `Content-Length: ${Buffer.byteLength(body)}`, 'Expect: 100-continue', '', '',
  ].join('\r\n'));
  assert.equal((await conn.response()).status, 100);
  const half = Math.floor(body.length / 2);
  await conn.write(body.slice(0, half));
  return { conn, rest: body.slice(half) };
}

test('SIGTERM: the listener closes, the in-flight write completes, then the process exits 0', async () => {
  const server = await spawnServer(config);
  await unseal(server.url, unsealKeys);
  const { conn, rest } = await halfSentPut(server, 'cubbyhole/slow', JSON.stringify({ value: 'x'.repeat(100_000) }));
  server.proc.kill('SIGTERM');
  await stdoutShows(server, 'shutdown triggered');
  await refusesConnections(server.url);
  assert.equal(server.proc.exitCode, null, 'the server exited with a request in flight');
  await conn.write(rest);
  const answer = await conn.response();
  assert.equal(answer.status, 204);
  assert.equal(answer.headers.connection, 'close');
  await conn.closed;
  assert.equal(await server.exited, 0, server.stderr());

  const again = await spawnServer(config);
  try {
    await unseal(again.url, unsealKeys);
    const r = await call(again.url, 'GET', 'cubbyhole/slow', { token: root });
    assert.equal(r.body.data.value.length, 100_000, 'the write finished during shutdown was not kept');
  } finally {
    assert.equal(await again.stop('SIGTERM'), 0);
  }
});

test('a second SIGTERM stops waiting for a client that never finishes', async () => {
  const server = await spawnServer(config);
  const { conn } = await halfSentPut(server, 'cubbyhole/never', JSON.stringify({ value: 'y'.repeat(1000) }));
  server.proc.kill('SIGTERM');
  await stdoutShows(server, 'shutdown triggered');
  await sleep(200);
  assert.equal(server.proc.exitCode, null, 'the first SIGTERM did not wait for the request');
  server.proc.kill('SIGTERM');
  await conn.closed;
  assert.equal(await server.exited, 0, server.stderr());
});

test('SIGHUP after logrotate moved the file: the server writes to a new file at log_file', async () => {
  rmSync(logFile, { force: true });
  const server = await spawnServer(config);
  try {
    assert.match(readFileSync(logFile, 'utf8'), /\[INFO\] server started/);
    assert.equal(statSync(logFile).mode & 0o777, 0o600);
    await unseal(server.url, unsealKeys);
    const auditFile = join(dir, 'audit.log');
    const enabled = await call(server.url, 'PUT', 'sys/audit/file', { token: root, body: { type: 'file', options: { file_path: auditFile } } });
    assert.equal(enabled.status, 204);
    renameSync(logFile, `${logFile}.1`);
    renameSync(auditFile, `${auditFile}.1`);
    assert.ok(!existsSync(logFile));
    server.proc.kill('SIGHUP');
    await stdoutShows(server, 'reload triggered');
    assert.match(readFileSync(logFile, 'utf8'), /\[INFO\] log file reopened/);
    // The audit device follows its path too: the next request lands in a new file.
    await call(server.url, 'GET', 'sys/mounts', { token: root });
    await sleep(50);
    assert.match(readFileSync(auditFile, 'utf8'), /"path":"sys\/mounts"/);
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }
  const rotated = readFileSync(`${logFile}.1`, 'utf8');
  const current = readFileSync(logFile, 'utf8');
  assert.ok(!rotated.includes('log file reopened') && !rotated.includes('shutting down'), 'written to the rotated file');
  assert.match(current, /\[INFO\] shutting down/);
  // Vault writes to log_file in addition to standard error.
  assert.match(server.stderr(), /server started[\s\S]*log file reopened[\s\S]*shutting down/);
});
