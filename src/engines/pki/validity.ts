// Validity periods as Vault computes them: request ttl, else role ttl, else the mount default;
// capped by the role's max_ttl, else the mount max (with a warning); then the issuer's NotAfter
// under its leaf_not_after_behavior.
import { BadRequest } from '../../util/errors.js';
import { formatDuration } from '../../util/duration.js';

/** Go's time.RFC3339 for a millisecond time: whole seconds (ACME's timestamps, EAB's created_on). */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Go's RFC3339Nano for a millisecond time: fraction without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}

export type ValidityInput = {
  now: number;
  ttl: number;
  notAfter: string;
  roleTtl: number;
  roleMaxTtl: number;
  mountDefaultTtl: number;
  mountMaxTtl: number;
  /** The issuer's NotAfter in ms and behaviour; absent for a self-signed root. */
  issuer?: { notAfter: number; behavior: string };
};

/** The leaf's NotAfter in ms, and any warnings. */
export function computeNotAfter(input: ValidityInput): { notAfter: number; warnings: string[] } {
  const warnings: string[] = [];
  if (input.ttl > 0 && input.notAfter !== '') {
    throw new BadRequest('Either ttl or not_after should be provided. Both should not be provided in the same request.');
  }
  let ttl = input.ttl || input.roleTtl || input.mountDefaultTtl;
  const maxTtl = input.roleMaxTtl || input.mountMaxTtl;
  if (ttl > maxTtl) {
    warnings.push(`TTL "${formatDuration(ttl)}" is longer than permitted maxTTL "${formatDuration(maxTtl)}", so maxTTL is being used`);
    ttl = maxTtl;
  }
  let notAfter = input.now + ttl * 1000;
  if (input.notAfter !== '') {
    notAfter = Date.parse(input.notAfter);
    if (!/^\d{4}-\d\d-\d\dT/.test(input.notAfter) || Number.isNaN(notAfter)) {
      throw new BadRequest(`parsing time "${input.notAfter}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
    }
  }
  const issuer = input.issuer;
  if (issuer && notAfter > issuer.notAfter) {
    if (issuer.behavior === 'truncate') {
      if (notAfter < input.now) throw new BadRequest(`cannot satisfy request, as NotAfter date ${rfc3339Nano(notAfter)} is in the past`);
      notAfter = issuer.notAfter;
    } else if (issuer.behavior !== 'permit') {
      throw new BadRequest(`cannot satisfy request, as TTL would result in notAfter of ${rfc3339Nano(notAfter)} that is beyond the expiration of the CA certificate at ${rfc3339Nano(issuer.notAfter)}`);
    }
  }
  return { notAfter, warnings };
}
