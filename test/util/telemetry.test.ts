// Timers keep their own buckets; the Prometheus text they produce must be what prom-client's
// Histogram with the same buckets produces for the same observations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { Timer } from '../../src/util/telemetry.js';

const BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

test('a timer renders as prom-client\'s Histogram does, labelled or not, observed or not', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const route = new Timer(ours, 'vault.route', 'by mount', ['mount', 'operation']);
  const plain = new Timer(ours, 'vault.core.handle_request', 'all');
  new Timer(ours, 'vault.barrier.list', 'never observed');
  const hRoute = new Histogram({ name: 'vault_route', help: 'by mount', labelNames: ['mount', 'operation'], buckets: BUCKETS, registers: [theirs] });
  const hPlain = new Histogram({ name: 'vault_core_handle_request', help: 'all', buckets: BUCKETS, registers: [theirs] });
  new Histogram({ name: 'vault_barrier_list', help: 'never observed', buckets: BUCKETS, registers: [theirs] });
  assert.equal(await ours.metrics(), await theirs.metrics());
  for (const v of [0.01, 0.1, 0.3, 7, 10000, 25000, 1.5]) {
    route.observe(v, { mount: 'secret/', operation: 'read' });
    hRoute.observe({ mount: 'secret/', operation: 'read' }, v);
    plain.observe(v);
    hPlain.observe(v);
  }
  route.observe(3, { mount: 'a"b\\c', operation: 'update' });
  hRoute.observe({ mount: 'a"b\\c', operation: 'update' }, 3);
  assert.equal(await ours.metrics(), await theirs.metrics());
});

test('the JSON statistics count what was observed; time() records failures too', async () => {
  const t = new Timer(new Registry(), 'vault.x', 'x', ['op']);
  assert.deepEqual(t.samples(), []);
  t.observe(2, { op: 'a' });
  t.observe(4, { op: 'a' });
  await assert.rejects(t.time(async () => { throw new Error('no'); }, { op: 'b' }));
  assert.equal(await t.time(async () => 7, { op: 'b' }), 7);
  const [a, b] = t.samples();
  assert.deepEqual({ ...a, sumSquares: a!.sumSquares }, { labels: { op: 'a' }, count: 2, sum: 6, min: 2, max: 4, sumSquares: 20 });
  assert.equal(b!.count, 2);
  assert.deepEqual(b!.labels, { op: 'b' });
});
