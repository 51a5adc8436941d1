// The proxy handler with a cache, against a small upstream: X-Cache and Age on answers below
// 400, Date renewed on a hit, errors without X-Cache, and /agent/v1/cache-clear with and
// without a cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LeaseCache } from '../../../src/agent/cache/cache.js';
import type { Listener } from '../../../src/agent/config/types.js';
import { createTransport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { proxyHandler } from '../../../src/agent/proxy/handler.js';
import { ManualScheduler } from '../../../src/agent/schedule.js';

const listener: Listener = { type: 'tcp', address: '127.0.0.1:0', tlsDisable: true, requireRequestHeader: false, enableQuit: false, at: 'test' };

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => { s.closeAllConnections(); s.close(); } };
}

test('X-Cache, Age and Date through the handler; cache-clear with and without a cache', async () => {
  let leases = 0;
  const upstream = await listen((req, res) => {
    if (req.url === '/v1/database/creds/r') {
      leases++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ lease_id: `database/creds/r/${leases}`, renewable: true, lease_duration: 600, data: {} }));
    } else if (req.url === '/v1/secret/data/x') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"data":{"data":{}}}');
    } else {
      res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"errors":["permission denied"]}');
    }
  });
  const s = new ManualScheduler(Date.UTC(2026, 0, 1, 12), () => 0.5);
  const transport = createTransport(upstream.url, undefined);
  const log = createLogger('error', () => {});
  const cache = new LeaseCache({ transport, scheduler: s, log });
  cache.registerAutoAuthToken('hvs.auto');
  const ctx = { transport, numRetries: 0, scheduler: s, log, autoAuthToken: () => 'hvs.auto', quit: () => {} };
  const cached = await listen(proxyHandler(listener, { ...ctx, apiProxy: { useAutoAuthToken: true, forceAutoAuthToken: false, useAutoAuthTokenSet: true }, cache }));
  const plain = await listen(proxyHandler(listener, ctx));
  try {
    const miss = await fetch(`${cached.url}/v1/database/creds/r`);
    assert.equal(miss.headers.get('x-cache'), 'MISS');
    assert.equal(miss.headers.get('age'), null);
    const body = await miss.text();
    await s.advance(4400);
    const hit = await fetch(`${cached.url}/v1/database/creds/r`);
    assert.equal(hit.headers.get('x-cache'), 'HIT');
    assert.equal(hit.headers.get('age'), '4');
    assert.equal(hit.headers.get('date'), new Date(s.now()).toUTCString());
    assert.equal(await hit.text(), body);
    assert.equal(leases, 1);
    const kv = await fetch(`${cached.url}/v1/secret/data/x`);
    assert.equal(kv.headers.get('x-cache'), 'MISS');
    const denied = await fetch(`${cached.url}/v1/sys/mounts`);
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('x-cache'), null);

    const cleared = await fetch(`${cached.url}/agent/v1/cache-clear`, { method: 'POST', body: JSON.stringify({ type: 'request_path', value: '/v1/database' }) });
    assert.equal(cleared.status, 200);
    assert.equal(await cleared.text(), '');
    assert.equal((await fetch(`${cached.url}/v1/database/creds/r`)).headers.get('x-cache'), 'MISS');
    assert.equal(leases, 2);
    const bad = await fetch(`${cached.url}/agent/v1/cache-clear`, { method: 'POST', body: '{"type":"nope","value":"x"}' });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { errors: ['failed to clear cache: invalid type provided'] });
    // Without a cache the endpoint is there and does nothing.
    const noop = await fetch(`${plain.url}/agent/v1/cache-clear`, { method: 'POST', body: '{"type":"nope"}' });
    assert.equal(noop.status, 200);
    // Without a cache answers still say MISS, as Vault Agent's do.
    assert.equal((await fetch(`${plain.url}/v1/database/creds/r`)).headers.get('x-cache'), 'MISS');
  } finally {
    cache.close();
    cached.close();
    plain.close();
    upstream.close();
  }
});
