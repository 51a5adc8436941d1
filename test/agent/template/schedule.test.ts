import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refetchDelay } from '../../../src/agent/template/runner.js';
import { DEFAULT_TEMPLATE_CONFIG } from '../../../src/agent/config/types.js';

test('KV (no lease) is polled at 0.85–0.95 of static_secret_render_interval', () => {
  const cfg = { ...DEFAULT_TEMPLATE_CONFIG, staticSecretRenderIntervalMs: 100_000 };
  assert.equal(refetchDelay(0, cfg, 0), 85_000);
  assert.equal(refetchDelay(0, cfg, 0.5), 90_000);
  assert.ok(refetchDelay(0, cfg, 0.999999) < 95_000);
  assert.equal(refetchDelay(0, DEFAULT_TEMPLATE_CONFIG, 0), 255_000); // 5 m default
});

test('a leased secret is fetched again at lease_renewal_threshold ± 0.05 of its lease', () => {
  assert.equal(refetchDelay(100_000, DEFAULT_TEMPLATE_CONFIG, 0), 85_000);
  assert.equal(refetchDelay(100_000, DEFAULT_TEMPLATE_CONFIG, 0.5), 90_000);
  assert.ok(refetchDelay(100_000, DEFAULT_TEMPLATE_CONFIG, 0.999999) < 95_000);
  assert.equal(refetchDelay(100_000, { ...DEFAULT_TEMPLATE_CONFIG, leaseRenewalThreshold: 0.5 }, 0.5), 50_000);
});
