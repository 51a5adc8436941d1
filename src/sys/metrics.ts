// sys/metrics, as Vault's: Vault's JSON form by default, Prometheus text with
// ?format=prometheus (refused when prometheus_retention_time is 0). It needs a token with read
// on sys/metrics unless the listener's telemetry allows unauthenticated_metrics_access.
import { definePath, field } from '../core/path.js';
import { BadRequest } from '../util/errors.js';
import { telemetry, type TelemetryOptions } from '../util/telemetry.js';

export function metricsPaths(options: TelemetryOptions) {
  telemetry.options = options;
  return [
    definePath({
      pattern: 'metrics', summary: 'Telemetry metrics: Vault\'s JSON form, or Prometheus text with format=prometheus.',
      unauthenticated: options.unauthenticatedMetricsAccess,
      fields: { format: field.string({ description: 'Empty for JSON, or "prometheus".' }) },
      operations: {
        read: async ({ fields }) => {
          if (fields.format === 'prometheus') {
            if (options.prometheusRetentionSeconds <= 0) throw new BadRequest('prometheus is not enabled');
            return { raw: { status: 200, body: await telemetry.prometheus(), contentType: telemetry.contentType } };
          }
          if (fields.format !== '') throw new BadRequest(`unsupported metrics format "${fields.format}"`);
          return { raw: { status: 200, body: telemetry.json() } };
        },
      },
    }),
  ];
}
