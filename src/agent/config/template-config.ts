// The template_config block: settings shared by every template (render interval, retries, renewal).
import type { Body } from './body.js';
import { DEFAULT_TEMPLATE_CONFIG, type TemplateConfig } from './types.js';

export function parseTemplateConfig(body: Body): TemplateConfig {
  const threshold = body.value('lease_renewal_threshold');
  let leaseRenewalThreshold = DEFAULT_TEMPLATE_CONFIG.leaseRenewalThreshold;
  if (threshold !== undefined) {
    const n = threshold.kind === 'literal' ? Number(threshold.value) : Number.NaN;
    if (!(n > 0 && n <= 1)) body.fail('lease_renewal_threshold', "'lease_renewal_threshold' must be a number above 0 and at most 1");
    leaseRenewalThreshold = n;
  }
  const cfg: TemplateConfig = {
    staticSecretRenderIntervalMs: body.duration('static_secret_render_interval') || DEFAULT_TEMPLATE_CONFIG.staticSecretRenderIntervalMs,
    exitOnRetryFailure: body.bool('exit_on_retry_failure') ?? false,
    maxConnectionsPerHost: body.int('max_connections_per_host') ?? DEFAULT_TEMPLATE_CONFIG.maxConnectionsPerHost,
    leaseRenewalThreshold,
  };
  body.finish();
  return cfg;
}
