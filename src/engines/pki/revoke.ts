// Revocation: one entry under revoked/ per serial (the set CRLs and OCSP read), idempotent.
import { X509Certificate as NodeCertificate } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { colonSerial, normalizeSerial } from './certs.js';
import { allIssuers } from './issuers.js';
import { storedCrlEntry } from './crl-entry.js';
import { getJson, putJson, type CertEntry, type RevokedEntry } from './store.js';
import { rfc3339Nano } from './validity.js';

/** What revoke answers. */
export type RevokeResult = { data: Record<string, unknown>; warnings: string[] };

const revocationData = (time: number) => ({
  revocation_time: time,
  revocation_time_rfc3339: rfc3339Nano(time * 1000),
  state: 'revoked',
});

/** The revoked/ entry of serial `hex`, revoked at `revokedAt` (unix seconds), with its CRL entry. */
export function revokedEntry(hex: string, revokedAt: number, issuerId: string, certificate: string, notAfter: number): RevokedEntry {
  return { serial: colonSerial(hex), revocation_time: revokedAt, issuer_id: issuerId, certificate, not_after: notAfter, crl_entry: storedCrlEntry(hex, revokedAt) };
}

/**
 * Revokes a stored certificate by serial. An issuer's own serial is refused; an expired
 * certificate answers a warning and stays off the CRL; a second revoke answers the first.
 */
export async function revokeSerial(storage: Storage, serialInput: string, nowMs: number): Promise<RevokeResult & { changed: boolean }> {
  const hex = normalizeSerial(serialInput);
  const colon = colonSerial(hex);
  const issuers = await allIssuers(storage);
  if (issuers.some((i) => normalizeSerial(new NodeCertificate(i.certificate).serialNumber) === hex)) {
    throw new BadRequest(`adding issuer (id: ${issuers.find((i) => normalizeSerial(new NodeCertificate(i.certificate).serialNumber) === hex)!.id}) to its own CRL is not allowed`);
  }
  const existing = await getJson<RevokedEntry>(storage, `revoked/${hex}`);
  if (existing) return { data: revocationData(existing.revocation_time), warnings: [], changed: false };
  const cert = await getJson<CertEntry>(storage, `certs/${hex}`);
  if (!cert) throw new BadRequest(`certificate with serial ${colon} not found.`);
  const now = Math.floor(nowMs / 1000);
  if (cert.not_after <= now) {
    return { data: {}, warnings: [`certificate with serial ${colon} already expired; refusing to add to CRL`], changed: false };
  }
  await putJson(storage, `revoked/${hex}`, revokedEntry(hex, now, cert.issuer_id, cert.certificate, cert.not_after));
  return { data: revocationData(now), warnings: [], changed: true };
}

/** The revocation of a serial, if any. */
export function revocationOf(storage: Storage, hex: string): Promise<RevokedEntry | undefined> {
  return getJson<RevokedEntry>(storage, `revoked/${hex}`);
}
