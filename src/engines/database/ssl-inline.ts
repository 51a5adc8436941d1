// Vault's PostgreSQL `sslinline=true`: the connection_url carries the PEM texts themselves in
// sslrootcert, sslcert and sslkey instead of file paths. They are taken out of the URL here
// and given to the driver as its TLS settings; the URL keeps sslmode and everything else.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { queryParams, withoutParams, type ConnectionSettings } from '../../util/sql/index.js';

const INLINE = ['sslinline', 'sslrootcert', 'sslcert', 'sslkey'];

/** The URL without its inline certificates and those certificates, when sslinline is set. */
export function takeInlineCertificates(url: string): { url: string; tls: ConnectionSettings['tls'] } | undefined {
  const params = queryParams(url);
  const flag = params.get('sslinline');
  if (flag === null || flag === 'false') return undefined;
  if (flag !== 'true') throw new BadRequest(`invalid sslinline in connection_url: ${flag}`);
  const tls = { ca: params.get('sslrootcert') ?? '', certificate: params.get('sslcert') ?? '', privateKey: params.get('sslkey') ?? '' };
  return { url: withoutParams(url, INLINE), tls };
}

/** Refuses inline certificates that do not parse, naming none of their text. */
export function checkInlineCertificates(tls: ConnectionSettings['tls']): void {
  try {
    if (tls.ca) new X509Certificate(tls.ca);
    if (tls.certificate) new X509Certificate(tls.certificate);
    if (tls.privateKey) createPrivateKey(tls.privateKey);
  } catch {
    throw new BadRequest('sslinline: a certificate or the key in connection_url cannot be read as PEM');
  }
}
