// sys/metrics: Vault's metric names in Prometheus text (parsed here as Prometheus parses the
// exposition format) and in Vault's JSON shape, counters moving with requests, a token with
// read on sys/metrics required unless the listener allows unauthenticated access.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Prometheus text format 0.0.4: `# HELP`/`# TYPE` lines, then `name{label="v",…} value`. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Array<{ name: string; labels: Record<string, string>; value: number }> } {
  const types = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type) { types.set(type[1] as string, type[2] as string); continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[k as string] = v as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

let srv: TestServer;
let open: TestServer;
before(async () => {
  srv = await startTestServer({ telemetry: { prometheusRetentionSeconds: 86400, disableHostname: true, unauthenticatedMetricsAccess: false } });
});
after(async () => {
  await srv.close();
  await open?.close();
});

async function prometheus(server: TestServer) {
  const r = await fetch(`${server.url}/v1/sys/metrics?format=prometheus`, { headers: { 'X-Vault-Token': server.rootToken } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await r.text());
}

const value = (p: ReturnType<typeof parsePrometheus>, name: string, labels: Record<string, string> = {}) =>
  p.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

test('Prometheus text: Vault\'s names with the vault_ prefix, counters moving with requests', async () => {
  const before = await prometheus(srv);
  assert.equal(before.types.get('vault_core_handle_request'), 'histogram');
  assert.equal(before.types.get('vault_token_creation'), 'counter');
  for (const name of ['vault_barrier_get', 'vault_barrier_put', 'vault_audit_log_request', 'vault_route']) assert.equal(before.types.get(name), 'histogram', name);
  for (const name of ['vault_runtime_alloc_bytes', 'vault_runtime_sys_bytes', 'vault_core_unsealed']) assert.equal(before.types.get(name), 'gauge', name);
  assert.equal(value(before, 'vault_core_unsealed'), 1);
  for (let i = 0; i < 5; i++) assert.equal((await srv.api('PUT', 'secret/data/m', { data: { n: String(i) } })).status, 200);
  assert.equal((await srv.api('POST', 'auth/token/create', { policies: ['default'] })).status, 200);
  const afterwards = await prometheus(srv);
  // Each scrape is a request too: at least our six plus the first scrape.
  assert.ok(value(afterwards, 'vault_core_handle_request_count') >= value(before, 'vault_core_handle_request_count') + 7);
  // The first write of a key is a create, the others updates (the ACL tells them apart too).
  const writes = (p: ReturnType<typeof parsePrometheus>) =>
    value(p, 'vault_route_count', { mount: 'secret/', operation: 'create' }) + value(p, 'vault_route_count', { mount: 'secret/', operation: 'update' });
  assert.equal(writes(afterwards) - writes(before), 5);
  assert.equal(value(afterwards, 'vault_token_creation', { token_type: 'service' }) - value(before, 'vault_token_creation', { token_type: 'service' }), 1);
  assert.ok(value(afterwards, 'vault_barrier_put_count') > value(before, 'vault_barrier_put_count'));
  assert.equal(value(afterwards, 'vault_core_handle_request_bucket', { le: '+Inf' }), value(afterwards, 'vault_core_handle_request_count'));
});

test('the JSON form has Vault\'s shape: Timestamp, Gauges, Points, Counters, Samples', async () => {
  const r = await srv.api('GET', 'sys/metrics');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body), ['Timestamp', 'Gauges', 'Points', 'Counters', 'Samples']);
  assert.match(r.body.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const sample = r.body.Samples.find((s: any) => s.Name === 'vault.core.handle_request');
  assert.deepEqual(Object.keys(sample), ['Name', 'Count', 'Rate', 'Sum', 'Min', 'Max', 'Mean', 'Stddev', 'Labels']);
  assert.ok(sample.Count > 0 && sample.Min <= sample.Mean && sample.Mean <= sample.Max);
  assert.ok(r.body.Gauges.some((g: any) => g.Name === 'vault.runtime.alloc_bytes' && g.Value > 0), 'disable_hostname: no host in the name');
  assert.ok(r.body.Counters.some((c: any) => c.Name === 'vault.token.creation'));
  const bad = await srv.api('GET', 'sys/metrics?format=xml');
  assert.equal(bad.status, 400);
});

test('a token needs read on sys/metrics; the default policy has none', async () => {
  srv.useToken('');
  assert.equal((await srv.api('GET', 'sys/metrics')).status, 403);
  srv.useToken(srv.rootToken);
  assert.equal((await srv.api('PUT', 'sys/policies/acl/metrics', { policy: 'path "sys/metrics" { capabilities = ["read"] }' })).status, 204);
  const plain = (await srv.api('POST', 'auth/token/create', { policies: ['default'] })).body.auth.client_token;
  const reader = (await srv.api('POST', 'auth/token/create', { policies: ['metrics'] })).body.auth.client_token;
  srv.useToken(plain);
  assert.equal((await srv.api('GET', 'sys/metrics')).status, 403);
  srv.useToken(reader);
  assert.equal((await srv.api('GET', 'sys/metrics')).status, 200);
  assert.equal((await fetch(`${srv.url}/v1/sys/metrics?format=prometheus`, { headers: { 'X-Vault-Token': reader } })).status, 200);
  srv.useToken(srv.rootToken);
});

test('unauthenticated_metrics_access opens it; prometheus_retention_time = 0 turns the Prometheus form off', async () => {
  open = await startTestServer({ telemetry: { prometheusRetentionSeconds: 0, disableHostname: false, unauthenticatedMetricsAccess: true } });
  open.useToken('');
  const json = await open.api('GET', 'sys/metrics');
  assert.equal(json.status, 200);
  assert.ok(json.body.Gauges.some((g: any) => /^vault\.[^.]+\.runtime\.alloc_bytes$/.test(g.Name) && g.Name !== 'vault.runtime.alloc_bytes'),
    'without disable_hostname the host name follows vault.');
  const prom = await open.api('GET', 'sys/metrics?format=prometheus');
  assert.deepEqual([prom.status, prom.body], [400, { errors: ['prometheus is not enabled'] }]);
});
