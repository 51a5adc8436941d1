// Finalizing an ACME order: the CSR must name exactly the order's identifiers, use another key
// than the account's and ask for no CA; the certificate comes from the directory's role (or
// sign-verbatim), serverAuth only unless allowed, at most 90 days, truncated at the issuer.
import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { Storage } from '../../../storage/storage.js';
import { BadRequest } from '../../../util/errors.js';
import { colonSerial, csrSans, nameValue } from '../certs.js';
import { checkNames, issueLeaf } from '../issue.js';
import { caChain, resolveIssuer } from '../issuers.js';
import type { Role } from '../role.js';
import { x509 } from '../x509.js';
import { AcmeProblem } from './problem.js';
import type { AcmeConfig, Identifier, Order } from './state.js';

const NINETY_DAYS = 90 * 24 * 3600;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** The names a CSR asks for, as ACME identifiers. */
function csrIdentifiers(csr: x509.Pkcs10CertificateRequest): Identifier[] {
  const sans = csrSans(csr);
  const cn = nameValue(csr.subjectName, '2.5.4.3');
  const dns = new Set(sans.dns.map((d) => d.toLowerCase()));
  const ips = new Set(sans.ip);
  if (cn) (/^[\d.]+$|:/.test(cn) ? ips : dns).add(cn.toLowerCase());
  return [...[...dns].map((value) => ({ type: 'dns' as const, value })), ...[...ips].map((value) => ({ type: 'ip' as const, value }))];
}

const key = (i: Identifier) => `${i.type}:${i.value.toLowerCase()}`;

/** Checks the CSR against the order and account; answers the parsed CSR. */
export async function checkFinalizeCsr(order: Order, csrB64: string, accountJwk: JWK): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(Buffer.from(csrB64, 'base64url')));
  } catch {
    throw new AcmeProblem('badCSR', 'the CSR could not be parsed');
  }
  if (!(await csr.verify().catch(() => false))) throw new AcmeProblem('badCSR', 'the CSR signature is invalid');
  const asked = new Set(csrIdentifiers(csr).map(key));
  const ordered = new Set(order.identifiers.map(key));
  if (asked.size !== ordered.size || [...asked].some((k) => !ordered.has(k))) {
    throw new AcmeProblem('badCSR', 'the CSR names differ from the order identifiers');
  }
  const accountSpki = createPublicKey({ key: accountJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  if (Buffer.from(csr.publicKey.rawData).equals(accountSpki)) throw new AcmeProblem('badCSR', 'the CSR may not use the account key');
  const bc = csr.extensions.find((e): e is x509.BasicConstraintsExtension => e instanceof x509.BasicConstraintsExtension);
  if (bc?.ca) throw new AcmeProblem('badCSR', 'the CSR may not ask for a CA certificate');
  return csr;
}

/** Issues the order's certificate; answers its serial and PEM chain. */
export async function issueForOrder(storage: Storage, order: Order, csr: x509.Pkcs10CertificateRequest, role: Role, config: AcmeConfig, opts: {
  now: number; mountTtls: { defaultTtl: number; maxTtl: number }; verbatim: boolean;
}): Promise<{ serial: string; chain: string; notAfter: number }> {
  const issuerRef = order.directory.issuer || role.issuer_ref;
  const issuer = await resolveIssuer(storage, issuerRef);
  const sans = csrSans(csr);
  const cn = nameValue(csr.subjectName, '2.5.4.3') ?? '';
  if (cn !== '' && !sans.dns.includes(cn) && !sans.ip.includes(cn)) (/^[\d.]+$|:/.test(cn) ? sans.ip : sans.dns).push(cn);
  const names = { commonName: cn, sans, serialNumber: '', source: 'CSR' as const };
  if (!opts.verbatim) {
    try { checkNames(role, names); } catch (err) {
      if (err instanceof BadRequest) throw new AcmeProblem('rejectedIdentifier', err.message);
      throw err;
    }
  }
  const ttl = Math.min(role.ttl || NINETY_DAYS, NINETY_DAYS);
  const issued = await issueLeaf({
    storage, now: opts.now, role: { ...role, ttl, max_ttl: Math.min(role.max_ttl || NINETY_DAYS, NINETY_DAYS), not_after: '' },
    issuer: { ...issuer, leaf_not_after_behavior: 'truncate' }, names, publicKey: Buffer.from(csr.publicKey.rawData), ttl: 0, notAfter: '',
    mountTtls: opts.mountTtls, subjectOverride: opts.verbatim ? csr.subjectName : undefined,
    extKeyUsage: config.allow_role_ext_key_usage && !opts.verbatim ? undefined : [SERVER_AUTH],
  });
  const chain = [issued.pem, ...(await caChain(storage, issuer))].join('\n');
  return { serial: colonSerial(issued.serialHex), chain: `${chain}\n`, notAfter: issued.notAfter };
}
