// Vault's response envelope, built in one place: the HTTP layer sends it, and response
// wrapping stores it so that unwrapping answers exactly what the caller would have received.
import type { Response } from './request.js';

/** The envelope of a response, without `request_id` (the HTTP layer adds the request's). */
export function envelopeOf(response: Response | undefined, warnings: string[], mountType: string): Record<string, unknown> {
  const allWarnings = [...(response?.warnings ?? []), ...warnings];
  const lease = response?.secret;
  const wrapped = response?.wrapInfo !== undefined;
  const envelope: Record<string, unknown> = {
    lease_id: wrapped ? '' : response?.leaseId ?? '',
    renewable: wrapped ? false : lease?.renewable ?? false,
    lease_duration: wrapped ? 0 : lease?.ttl ?? 0,
    data: wrapped ? null : response?.data ?? null,
    wrap_info: response?.wrapInfo ?? null,
    warnings: allWarnings.length > 0 ? allWarnings : null,
    auth: wrapped ? null : response?.auth ?? null,
    mount_type: mountType,
  };
  // Vault's older sys/ endpoints repeat data's keys at the top level.
  return !wrapped && response?.dataAtTopLevel && response.data ? { ...response.data, ...envelope } : envelope;
}
