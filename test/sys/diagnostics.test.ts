// sys/host-info, sys/config/state/sanitized and sys/in-flight-req in Vault's shapes; the first
// two need sudo, the last a token with read on it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { sanitizedConfig } from '../../src/server/config-state.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
const tokens: Record<string, string> = {};
before(async () => {
  srv = await startTestServer({ telemetry: { prometheusRetentionSeconds: 60, disableHostname: true, unauthenticatedMetricsAccess: false } });
  const paths = ['sys/host-info', 'sys/config/state/sanitized', 'sys/in-flight-req'];
  const plain = paths.map((p) => `path "${p}" { capabilities = ["read"] }`).join('\n');
  const sudo = plain.replace(/"read"\]/g, '"read", "sudo"]');
  for (const [name, policy] of Object.entries({ plain, sudo })) {
    assert.equal((await srv.api('PUT', `sys/policies/acl/${name}`, { policy })).status, 204);
    tokens[name] = (await srv.api('POST', 'auth/token/create', { policies: [name] })).body.auth.client_token;
  }
});
after(() => srv.close());

async function get(token: string, path: string): Promise<{ status: number; body: Record<string, any> }> {
  const r = await fetch(`${srv.url}/v1/${path}`, { headers: token === '' ? {} : { 'X-Vault-Token': token } });
  return { status: r.status, body: await r.json() as Record<string, any> };
}

test('sys/host-info: gopsutil\'s shapes for cpu, cpu_times, disk, host and memory; needs sudo', async () => {
  assert.equal((await get(tokens.plain!, 'sys/host-info')).status, 403);
  assert.equal((await get('', 'sys/host-info')).status, 403);
  const { status, body } = await get(tokens.sudo!, 'sys/host-info');
  assert.equal(status, 200);
  const d = body.data;
  assert.ok(!Number.isNaN(Date.parse(d.timestamp)));
  assert.equal(d.cpu.length, os.cpus().length);
  assert.deepEqual(Object.keys(d.cpu[0]).slice(0, 4), ['cpu', 'vendorId', 'family', 'model']);
  assert.equal(d.cpu_times[0].cpu, 'cpu');
  assert.ok(d.cpu_times[0].user > 0 && d.cpu_times[0].idle > 0);
  const root = d.disk.find((x: { path: string }) => x.path === '/');
  assert.ok(root, JSON.stringify(d.disk));
  assert.ok(root.total > 0 && root.total >= root.used && root.free >= 0);
  assert.equal(d.host.hostname, os.hostname());
  assert.ok(d.host.uptime > 0 && d.host.bootTime > 1e9 && d.host.procs > 0);
  assert.equal(d.host.kernelVersion, os.release());
  assert.ok(d.memory.total > 0 && d.memory.available > 0 && d.memory.used > 0 && d.memory.total >= d.memory.free);
});

test('sys/config/state/sanitized: Vault\'s keys with the running settings; needs sudo', async () => {
  assert.equal((await get(tokens.plain!, 'sys/config/state/sanitized')).status, 403);
  const { status, body } = await get(tokens.sudo!, 'sys/config/state/sanitized');
  assert.equal(status, 200);
  const d = body.data;
  assert.equal(d.api_addr, srv.url);
  assert.deepEqual(d.storage, { cluster_addr: '', disable_clustering: false, redirect_addr: srv.url, type: 'inmem' });
  assert.deepEqual(d.seals, [{ disabled: false, type: 'shamir' }]);
  assert.deepEqual(d.listeners, [{ type: 'tcp', config: { address: '127.0.0.1:0', tls_disable: 1 } }]);
  assert.equal(d.default_lease_ttl, 768 * 3600);
  assert.equal(d.max_lease_ttl, 768 * 3600);
  assert.deepEqual(d.telemetry, { disable_hostname: true, prometheus_retention_time: 60, unauthenticated_metrics_access: false });
  for (const k of ['cache_size', 'cluster_name', 'disable_mlock', 'enable_ui', 'log_level', 'log_format', 'raw_storage_endpoint']) assert.ok(k in d, k);
});

test('sanitized config never carries storage settings (a connection string\'s password)', () => {
  const canary = 'canary-pw-8c1f0e';
  const state = sanitizedConfig({
    storage: { type: 'postgresql', connectionUrl: `postgres://u:${canary}@127.0.0.1/db`, haEnabled: false, lockTtlMs: 15000 },
    listener: { address: '127.0.0.1:8200' },
  }, () => 'http://127.0.0.1:8200')();
  assert.ok(!JSON.stringify(state).includes(canary));
  assert.equal((state.storage as { type: string }).type, 'postgresql');
});

test('sys/in-flight-req lists the request asking, by request id, outside the envelope', async () => {
  assert.equal((await get('', 'sys/in-flight-req')).status, 403);
  const r = await fetch(`${srv.url}/v1/sys/in-flight-req`, { headers: { 'X-Vault-Token': tokens.plain! } });
  assert.equal(r.status, 200);
  const body = await r.json() as Record<string, Record<string, string>>;
  const entries = Object.entries(body).filter(([, v]) => v.request_path === '/v1/sys/in-flight-req');
  assert.equal(entries.length, 1, JSON.stringify(body));
  const [id, entry] = entries[0]!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.keys(entry!).sort(), ['client_id', 'client_remote_address', 'request_method', 'request_path', 'start_time']);
  assert.equal(entry!.request_method, 'GET');
  assert.match(entry!.client_remote_address as string, /^127\.0\.0\.1:\d+$/);
  assert.ok(!Number.isNaN(Date.parse(entry!.start_time as string)));
  // Answered requests leave the table.
  const again = await get(tokens.plain!, 'sys/in-flight-req');
  assert.ok(!(id in again.body));
});
