// When a template's secret is fetched again (consul-template's leaseCheckWait rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'lossless-json';
import { refetchDelay, RotationTtlZero } from '../../../src/agent/template/lease.js';
import { DEFAULT_TEMPLATE_CONFIG } from '../../../src/agent/config/types.js';

const NOW = Date.UTC(2026, 0, 1);
const secret = (leaseDurationMs: number, data = '{}', extra: { leaseId?: string; renewable?: boolean } = {}) => ({
  leaseId: extra.leaseId ?? '', leaseDurationMs, renewable: extra.renewable ?? false, data: parse(data) as Record<string, unknown>,
});

test('KV (no lease) is polled at lease_renewal_threshold ± 0.05 of static_secret_render_interval', () => {
  const cfg = { ...DEFAULT_TEMPLATE_CONFIG, staticSecretRenderIntervalMs: 100_000 };
  assert.equal(refetchDelay(secret(0), cfg, 0, NOW), 85_000);
  assert.equal(refetchDelay(secret(0), cfg, 0.5, NOW), 90_000);
  assert.ok(refetchDelay(secret(0), cfg, 0.999999, NOW) < 95_000);
  assert.equal(refetchDelay(secret(0), DEFAULT_TEMPLATE_CONFIG, 0, NOW), 255_000); // 5 m default
  assert.equal(refetchDelay(secret(0), { ...cfg, leaseRenewalThreshold: 0.5 }, 0.5, NOW), 50_000);
});

test('a non-renewable lease is fetched again at lease_renewal_threshold ± 0.05 of it; out of (0,1) the threshold itself', () => {
  assert.equal(refetchDelay(secret(100_000), DEFAULT_TEMPLATE_CONFIG, 0, NOW), 85_000);
  assert.equal(refetchDelay(secret(100_000), DEFAULT_TEMPLATE_CONFIG, 0.5, NOW), 90_000);
  assert.ok(refetchDelay(secret(100_000), DEFAULT_TEMPLATE_CONFIG, 0.999999, NOW) < 95_000);
  assert.equal(refetchDelay(secret(100_000), { ...DEFAULT_TEMPLATE_CONFIG, leaseRenewalThreshold: 0.5 }, 0.5, NOW), 50_000);
  assert.equal(refetchDelay(secret(100_000), { ...DEFAULT_TEMPLATE_CONFIG, leaseRenewalThreshold: 1 }, 0.9, NOW), 100_000);
});

test('a renewable secret not watched: a third of its lease, staggered by half', () => {
  assert.equal(refetchDelay(secret(90_000, '{}', { renewable: true, leaseId: 'l' }), DEFAULT_TEMPLATE_CONFIG, 0, NOW), 15_000);
  assert.equal(refetchDelay(secret(90_000, '{}', { renewable: true, leaseId: 'l' }), DEFAULT_TEMPLATE_CONFIG, 1, NOW), 30_000);
});

test('rotation_period: exactly ttl + 1 s; a ttl of 0 is an error to retry; with a lease id the lease rules', () => {
  assert.equal(refetchDelay(secret(0, '{"rotation_period":3600,"ttl":30,"username":"u"}'), DEFAULT_TEMPLATE_CONFIG, 0.3, NOW), 31_000);
  assert.throws(() => refetchDelay(secret(0, '{"rotation_period":3600,"ttl":0}'), DEFAULT_TEMPLATE_CONFIG, 0.3, NOW), RotationTtlZero);
  assert.equal(refetchDelay(secret(100_000, '{"rotation_period":3600,"ttl":30}', { leaseId: 'x' }), DEFAULT_TEMPLATE_CONFIG, 0.5, NOW), 90_000);
});

test('a certificate without a lease lasts until its expiration; a secret id until secret_id_ttl + 1 s', () => {
  const exp = NOW / 1000 + 1000;
  assert.equal(refetchDelay(secret(0, `{"certificate":"…","expiration":${exp}}`), DEFAULT_TEMPLATE_CONFIG, 0.5, NOW), 900_000);
  assert.equal(refetchDelay(secret(0, '{"secret_id":"s","secret_id_ttl":99}'), DEFAULT_TEMPLATE_CONFIG, 0.5, NOW), 90_000);
});
