// Vault's response envelope, built in one place: the HTTP layer sends it, and response
// wrapping stores it so that unwrapping answers exactly what the caller would have received.
import type { Response } from './request.js';

/**
 * The envelope of a response. The HTTP layer passes the request's id, which comes first;
 * wrapping stores it without one. Built as one literal: it is made for every answer.
 */
export function envelopeOf(response: Response | undefined, warnings: string[], mountType: string, requestId?: string): Record<string, unknown> {
  const extra = response?.warnings;
  const allWarnings = extra === undefined || extra.length === 0 ? warnings : [...extra, ...warnings];
  const lease = response?.secret;
  const wrapped = response?.wrapInfo !== undefined;
  const topLevel = !wrapped && response?.dataAtTopLevel && response.data;
  if (requestId !== undefined && !topLevel) {
    return {
      request_id: requestId,
      lease_id: wrapped ? '' : response?.leaseId ?? '',
      renewable: wrapped ? false : lease?.renewable ?? false,
      lease_duration: wrapped ? 0 : lease?.ttl ?? 0,
      data: wrapped ? null : response?.data ?? null,
      wrap_info: response?.wrapInfo ?? null,
      warnings: allWarnings.length > 0 ? allWarnings : null,
      auth: wrapped ? null : response?.auth ?? null,
      mount_type: mountType,
    };
  }
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
  const body = topLevel ? { ...response.data, ...envelope } : envelope;
  return requestId === undefined ? body : { request_id: requestId, ...body };
}
