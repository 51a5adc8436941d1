import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxyHandler } from '../../../src/agent/proxy/handler.js';
import { createTransport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import type { Scheduler } from '../../../src/agent/schedule.js';
import type { Listener } from '../../../src/agent/config/types.js';

const listener: Listener = { type: 'tcp', address: '127.0.0.1:0', tlsDisable: true, requireRequestHeader: false, enableQuit: false, at: 'test' };

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
}

for (const [numRetries, expectStatus, expectCalls] of [[2, 200, 3], [1, 503, 2], [0, 503, 1]] as const) {
  test(`vault.retry: 5xx answers are retried ${numRetries} times (linear 1-1.5 s waits)`, async () => {
    let calls = 0;
    const upstream = await listen((_req, res) => {
      calls++;
      if (calls <= 2) res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"errors":["Vault is sealed"]}');
      else res.writeHead(200, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' }).end('{"ok":true}');
    });
    const waits: number[] = [];
    const scheduler: Scheduler = { now: () => 0, random: () => 0.5, sleep: async (ms) => { waits.push(ms); } };
    const proxy = await listen(proxyHandler(listener, {
      transport: createTransport(upstream.url, undefined), numRetries, scheduler, log: createLogger('error', () => {}),
      autoAuthToken: () => undefined, quit: () => {},
    }));
    try {
      const res = await fetch(`${proxy.url}/v1/sys/health`);
      assert.equal(res.status, expectStatus);
      assert.equal(calls, expectCalls);
      assert.deepEqual(waits, [1250, 2500].slice(0, expectCalls - 1));
      if (expectStatus === 200) assert.equal(res.headers.get('x-upstream'), 'yes');
      else assert.deepEqual(await res.json(), { errors: ['Vault is sealed'] });
    } finally {
      upstream.close();
      proxy.close();
    }
  });
}

test('vault.retry: an unreachable server is retried, then answered with 502 and Go\'s wording', async () => {
  const waits: number[] = [];
  const scheduler: Scheduler = { now: () => 0, random: () => 0, sleep: async (ms) => { waits.push(ms); } };
  const proxy = await listen(proxyHandler(listener, {
    transport: createTransport('http://127.0.0.1:1', undefined), numRetries: 3, scheduler, log: createLogger('error', () => {}),
    autoAuthToken: () => undefined, quit: () => {},
  }));
  try {
    const res = await fetch(`${proxy.url}/v1/sys/health`);
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { errors: ['Get "http://127.0.0.1:1/v1/sys/health": dial tcp 127.0.0.1:1: connect: connection refused'] });
    assert.deepEqual(waits, [1000, 2000, 3000]);
  } finally {
    proxy.close();
  }
});
