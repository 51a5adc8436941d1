// Vault's response envelope, built in one place: the HTTP layer sends it, and response
// wrapping stores it so that unwrapping answers exactly what the caller would have received.
import type { Response } from './request.js';

/**
 * The envelope of a response. The HTTP layer passes the request's id, which comes first;
 * wrapping stores it without one.
 */
export function envelopeOf(response: Response | undefined, warnings: string[], mountType: string, requestId?: string): Record<string, unknown> {
  const extra = response?.warnings;
  const allWarnings = extra === undefined || extra.length === 0 ? warnings : [...extra, ...warnings];
  const lease = response?.secret;
  const wrapped = response?.wrapInfo !== undefined;
  const topLevel = !wrapped && response?.dataAtTopLevel ? response.data : undefined;
  // request_id leads (spread in front of data's keys when those come first). Filled in place,
  // not spread into a second object: one is made for every answer.
  const envelope: Record<string, unknown> = requestId === undefined || topLevel ? {} : { request_id: requestId };
  envelope.lease_id = wrapped ? '' : response?.leaseId ?? '';
  envelope.renewable = wrapped ? false : lease?.renewable ?? false;
  envelope.lease_duration = wrapped ? 0 : lease?.ttl ?? 0;
  envelope.data = wrapped ? null : response?.data ?? null;
  envelope.wrap_info = response?.wrapInfo ?? null;
  envelope.warnings = allWarnings.length > 0 ? allWarnings : null;
  envelope.auth = wrapped ? null : response?.auth ?? null;
  envelope.mount_type = mountType;
  if (!topLevel) return envelope;
  // Vault's older sys/ endpoints repeat data's keys at the top level.
  const body = { ...topLevel, ...envelope };
  return requestId === undefined ? body : { request_id: requestId, ...body };
}
