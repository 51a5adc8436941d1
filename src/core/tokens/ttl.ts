// Token TTL arithmetic, as Vault's CalculateTTL does it: the requested TTL (or the token
// mount's default) capped by the mount's or the server's maximum and by the explicit maximum;
// a periodic token's TTL is its period.
import type { TokenTtls } from './deps.js';
import { formatDuration } from '../../util/duration.js';

/** The TTL to grant, and Vault's warning when it was capped. */
export function effectiveTtl(
  limits: TokenTtls,
  req: { requested: number; period: number; explicitMax: number; sinceIssue?: number },
): { ttl: number; warnings: string[] } {
  const { defaultTtl, maxTtl } = limits;
  const warnings: string[] = [];
  let cap = maxTtl;
  if (req.explicitMax > 0 && req.explicitMax < cap) cap = req.explicitMax;
  // Time already lived counts against the maximums (renewals), but not against a period.
  const left = Math.max(0, cap - (req.sinceIssue ?? 0));
  if (req.period > 0) {
    // Vault caps a period by the mount's (or the server's) max_ttl.
    let period = req.period;
    if (period > maxTtl) {
      warnings.push(`period of "${formatDuration(period)}" exceeded the effective max_ttl of "${formatDuration(maxTtl)}"; period value is capped accordingly`);
      period = maxTtl;
    }
    const ttl = req.explicitMax > 0 ? Math.min(period, Math.max(0, req.explicitMax - (req.sinceIssue ?? 0))) : period;
    return { ttl, warnings };
  }
  const wanted = req.requested > 0 ? req.requested : defaultTtl;
  if (wanted > left) {
    warnings.push(`TTL of "${formatDuration(wanted)}" exceeded the effective max_ttl of "${formatDuration(left)}"; TTL value is capped accordingly`);
    return { ttl: left, warnings };
  }
  return { ttl: wanted, warnings };
}
