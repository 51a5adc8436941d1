// The socket device against real local peers: lines arrive over TCP and unix sockets, and a
// peer that goes away makes requests fail closed until it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { CANARY, useAuditServer } from './helpers.js';

/** A line-collecting stream server (TCP, or unix when `path` is given). */
async function startPeer(at: { port?: number; path?: string } = {}) {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    let buffered = '';
    sock.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
    sock.on('close', () => sockets.delete(sock));
  });
  server.listen(at.path ?? { port: at.port ?? 0, host: '127.0.0.1' });
  await once(server, 'listening');
  return {
    lines,
    port: (server.address() as AddressInfo).port,
    /** Waits until a line satisfies `pred`. */
    async waitFor(pred: (line: string) => boolean): Promise<string> {
      for (;;) {
        const hit = lines.find(pred);
        if (hit !== undefined) return hit;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    /** Closes the listener and every connection, and waits until they are gone. */
    async stop() {
      const closed = [...sockets].map((s) => once(s, 'close'));
      for (const s of sockets) s.destroy();
      server.close();
      await Promise.all([...closed, once(server, 'close')]);
    },
  };
}

const suite = useAuditServer();
const { dir } = suite;

test('a TCP peer receives one JSON line per request and response, secrets hashed', async () => {
  const peer = await startPeer();
  const res = await suite.srv.api('PUT', 'sys/audit/tcp', { type: 'socket', options: { address: `127.0.0.1:${peer.port}` } });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  assert.equal((await suite.srv.api('PUT', 'cubbyhole/sock', { v: CANARY })).status, 204);
  const line = await peer.waitFor((l) => l.includes('"cubbyhole/sock"') && l.includes('"type":"response"'));
  assert.ok(!peer.lines.join('\n').includes(CANARY));
  const hash = (await suite.srv.api('POST', 'sys/audit-hash/tcp', { input: CANARY })).body.data.hash;
  assert.equal(JSON.parse(line).request.data.v, hash);
  assert.equal((await suite.srv.api('DELETE', 'sys/audit/tcp')).status, 204);
  await peer.stop();
});

test('the peer gone: requests fail closed and do not happen; the peer back: they succeed', async () => {
  const peer = await startPeer();
  await suite.srv.api('PUT', 'sys/audit/tcp-only', { type: 'socket', options: { address: `127.0.0.1:${peer.port}`, socket_type: 'tcp' } });
  assert.equal((await suite.srv.api('PUT', 'cubbyhole/peer-up', { v: '1' })).status, 204);
  await peer.stop();
  assert.equal((await suite.srv.api('PUT', 'cubbyhole/peer-down', { v: '1' })).status, 500);
  const back = await startPeer({ port: peer.port });
  try {
    assert.equal((await suite.srv.api('GET', 'cubbyhole/peer-down')).status, 404, 'the refused write happened');
    assert.equal((await suite.srv.api('GET', 'cubbyhole/peer-up')).status, 200);
    await back.waitFor((l) => l.includes('"cubbyhole/peer-up"'));
  } finally {
    assert.equal((await suite.srv.api('DELETE', 'sys/audit/tcp-only')).status, 204);
    await back.stop();
  }
});

test('socket_type=unix writes to a unix stream socket', async () => {
  const path = join(dir, 'audit.sock');
  const peer = await startPeer({ path });
  const res = await suite.srv.api('PUT', 'sys/audit/unix', { type: 'socket', options: { address: path, socket_type: 'unix' } });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  await suite.srv.api('GET', 'sys/mounts');
  await peer.waitFor((l) => l.includes('"sys/mounts"'));
  assert.equal((await suite.srv.api('DELETE', 'sys/audit/unix')).status, 204);
  await peer.stop();
});
