// MySQL's tls_certificate_key: Vault takes the client certificate and its private key as one
// PEM bundle. Here it is split into the certificate chain and the key the driver is given.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { pemBlocks } from '../../util/pem.js';


/** The bundle's certificates (in order) and its one private key, both as PEM. */
export function splitCertificateKey(bundle: string): { certificate: string; privateKey: string } {
  const blocks = pemBlocks(bundle);
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.pem);
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY')).map((b) => b.pem);
  if (certificates.length === 0 || keys.length !== 1) {
    throw new BadRequest('tls_certificate_key must hold a PEM certificate and its one private key');
  }
  // Both parse now, so a bad bundle is refused at write rather than at the first connection;
  // the messages name no key material.
  try {
    const cert = new X509Certificate(certificates[0]!);
    const key = createPrivateKey(keys[0]!);
    if (!cert.checkPrivateKey(key)) throw new BadRequest('tls_certificate_key: the private key does not match the certificate');
  } catch (err) {
    if (err instanceof BadRequest) throw err;
    throw new BadRequest('tls_certificate_key: the certificate or private key cannot be read');
  }
  return { certificate: certificates.join('\n'), privateKey: keys[0]! };
}
