// When a secret a template uses is fetched again, by consul-template's rules (leaseCheckWait):
// the base is the lease (a carried token's when it has one); a certificate without a lease
// lasts until its `expiration`; an AppRole secret id until secret_id_ttl + 1 s; a rotating
// secret (rotation_period) is fetched again exactly at its ttl + 1 s (a ttl of 0 is an error, so
// the fetch is retried); no base at all is static_secret_render_interval. Renewable secrets are
// renewed by the lifetime watcher (runner.ts); if one is not (exit-after-auth), a third of the
// lease, staggered by half. Everything else comes at lease_renewal_threshold ± 5 % of its base.
import { isLosslessNumber } from 'lossless-json';
import type { TemplateConfig } from '../config/types.js';
import type { Fetched } from './secrets.js';

/** json.Number.Int64(): an integral number, else undefined. */
function int64(v: unknown): number | undefined {
  const text = isLosslessNumber(v) ? v.value : typeof v === 'number' ? String(v) : undefined;
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

export const isRenewable = (f: Pick<Fetched, 'renewable' | 'auth'>): boolean => (f.auth ? f.auth.renewable : f.renewable);

export class RotationTtlZero extends Error {
  constructor() {
    super('vault rotating secret returned ttl=0, will retry');
  }
}

/**
 * How long after a fetch `f` is fetched again (ms). `r` is a random number in [0, 1) and
 * `now` the current time (for a certificate's expiration).
 */
export function refetchDelay(f: Pick<Fetched, 'leaseId' | 'leaseDurationMs' | 'renewable' | 'data' | 'auth'>, cfg: TemplateConfig, r: number, now: number): number {
  let baseMs = f.leaseDurationMs;
  if (f.auth && f.auth.leaseDurationMs > 0) baseMs = f.auth.leaseDurationMs;
  const data = f.data;
  if ('certificate' in data && f.leaseId === '') {
    const exp = int64(data.expiration);
    if (exp !== undefined) baseMs = exp * 1000 - now;
  }
  if ('secret_id' in data && f.leaseId === '') {
    const ttl = int64(data.secret_id_ttl);
    if (ttl !== undefined && ttl > 0) baseMs = (ttl + 1) * 1000;
  }
  let rotating = false;
  if ('rotation_period' in data && f.leaseId === '') {
    const ttl = int64(data.ttl);
    if (ttl !== undefined && ttl > 0) {
      baseMs = (ttl + 1) * 1000;
      rotating = true;
    } else if (ttl === 0) {
      throw new RotationTtlZero();
    }
  }
  if (baseMs <= 0) baseMs = cfg.staticSecretRenderIntervalMs;
  if (isRenewable(f)) return ((baseMs / 3) * (r + 1)) / 2;
  if (rotating) return baseMs;
  let fraction = cfg.leaseRenewalThreshold + (r - 0.5) * 0.1;
  if (fraction >= 1 || fraction <= 0) fraction = cfg.leaseRenewalThreshold;
  return baseMs * fraction;
}
