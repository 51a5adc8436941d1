// Certificate building and parsing with @peculiar/x509 over Node's WebCrypto.
import { randomBytes, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import { x509 } from './x509.js';
import { BadRequest } from '../../util/errors.js';
import { keyIdentifier, signCertificate, type BuiltCertificate, type Sans, type Urls } from './cert-build.js';
import { signingAlgorithm, spkiOf } from './keys.js';

export { urlExtensions, type BuiltCertificate, type Sans, type Urls } from './cert-build.js';

/** A fresh serial: 20 random bytes, positive and below 2^159, never starting with a zero byte. */
export function newSerialHex(): string {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0]! & 0x7f) || 1;
  return bytes.toString('hex');
}

/** Vault's serial spelling: lowercase hex pairs joined by colons. */
export function colonSerial(hex: string): string {
  const even = hex.length % 2 === 1 ? `0${hex}` : hex;
  return even.toLowerCase().match(/../g)!.join(':');
}

/** Accepts `aa:bb`, `aa-bb` or `aabb`; returns plain lowercase hex. */
export function normalizeSerial(serial: string): string {
  return serial.trim().toLowerCase().replace(/[:-]/g, '');
}

/** Subject fields of Vault's requests and roles, in Go's pkix.Name order. */
export type SubjectFields = {
  country?: string[]; province?: string[]; locality?: string[]; street_address?: string[]; postal_code?: string[];
  organization?: string[]; ou?: string[]; common_name?: string; serial_number?: string; user_ids?: string[];
};

const SUBJECT_OIDS: Array<[keyof SubjectFields, string]> = [
  ['country', '2.5.4.6'], ['province', '2.5.4.8'], ['locality', '2.5.4.7'], ['street_address', '2.5.4.9'],
  ['postal_code', '2.5.4.17'], ['organization', '2.5.4.10'], ['ou', '2.5.4.11'], ['common_name', '2.5.4.3'], ['serial_number', '2.5.4.5'],
  ['user_ids', '0.9.2342.19200300.100.1.1'],
];

/** Builds an X.509 name, one RDN per value. */
export function subjectName(fields: SubjectFields): x509.Name {
  const rdns: x509.JsonName = [];
  for (const [key, oid] of SUBJECT_OIDS) {
    const value = fields[key];
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    for (const v of values) if (v !== '') rdns.push({ [oid]: [v] });
  }
  return new x509.Name(rdns);
}

/** The issuing side: certificate and key (absent for a self-signed root, which signs itself). */
export type Signer = { cert: x509.X509Certificate; keyId: string; key: KeyObject };

/** Everything a new certificate needs. */
export type CertRequest = {
  subject: x509.Name;
  publicKey: KeyObject | Buffer;
  notBefore: Date;
  notAfter: Date;
  serialHex: string;
  sans: Sans;
  isCa: boolean;
  maxPathLength?: number;
  keyUsage: number;
  extKeyUsage: string[];
  urls?: Urls;
  permittedDnsDomains?: string[];
  signatureBits: number;
  usePss: boolean;
  /** Extra policy OIDs (role policy_identifiers). */
  policyOids?: string[];
  basicConstraintsForLeaf?: boolean;
};

/** Key usage flags by Vault's names (case-insensitive, as Vault compares them). */
const KEY_USAGE: Record<string, number> = {
  digitalsignature: x509.KeyUsageFlags.digitalSignature, contentcommitment: x509.KeyUsageFlags.nonRepudiation,
  keyencipherment: x509.KeyUsageFlags.keyEncipherment, dataencipherment: x509.KeyUsageFlags.dataEncipherment,
  keyagreement: x509.KeyUsageFlags.keyAgreement, certsign: x509.KeyUsageFlags.keyCertSign, crlsign: x509.KeyUsageFlags.cRLSign,
  encipheronly: x509.KeyUsageFlags.encipherOnly, decipheronly: x509.KeyUsageFlags.decipherOnly,
};

/** Vault's key_usage names as flags; an unknown name is refused. */
export function keyUsageFlags(names: string[]): number {
  let flags = 0;
  for (const name of names) {
    const flag = KEY_USAGE[name.trim().toLowerCase().replace(/^keyusage/, '')];
    if (flag === undefined) throw new BadRequest(`unrecognized key usage: ${name}`);
    flags |= flag;
  }
  return flags;
}

const EXT_KEY_USAGE: Record<string, string> = {
  any: '2.5.29.37.0', serverauth: '1.3.6.1.5.5.7.3.1', clientauth: '1.3.6.1.5.5.7.3.2', codesigning: '1.3.6.1.5.5.7.3.3',
  emailprotection: '1.3.6.1.5.5.7.3.4', ipsecendsystem: '1.3.6.1.5.5.7.3.5', ipsectunnel: '1.3.6.1.5.5.7.3.6',
  ipsecuser: '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8', ocspsigning: '1.3.6.1.5.5.7.3.9',
  microsoftservergatedcrypto: '1.3.6.1.4.1.311.10.3.3', netscapeservergatedcrypto: '2.16.840.1.113730.4.1',
  microsoftcommercialcodesigning: '1.3.6.1.4.1.311.2.1.22', microsoftkernelcodesigning: '1.3.6.1.4.1.311.61.1.1',
};

/** Vault's ext_key_usage names as OIDs. */
export function extKeyUsageOids(names: string[]): string[] {
  return names.map((name) => {
    const oid = EXT_KEY_USAGE[name.trim().toLowerCase().replace(/^extkeyusage/, '')];
    if (oid === undefined) throw new BadRequest(`unrecognized ext key usage: ${name}`);
    return oid;
  });
}

// The issuer's Name DER and SKI by its parsed certificate: the same for every certificate it signs.
const issuerParts = new WeakMap<x509.X509Certificate, { name: Uint8Array; ski?: string }>();

function issuerPartsOf(cert: x509.X509Certificate): { name: Uint8Array; ski?: string } {
  let found = issuerParts.get(cert);
  if (!found) {
    found = { name: new Uint8Array(cert.subjectName.toArrayBuffer()), ski: cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId };
    issuerParts.set(cert, found);
  }
  return found;
}

/** Signs a certificate with `signer` (or self-signs with `selfKey`); answers its DER and PEM. */
export async function buildCertificateDer(req: CertRequest, signer: Signer | { selfKey: KeyObject; keyId: string }): Promise<BuiltCertificate> {
  const spki = new Uint8Array(Buffer.isBuffer(req.publicKey) ? req.publicKey : spkiOf(req.publicKey));
  const signingKeyObject = 'selfKey' in signer ? signer.selfKey : signer.key;
  const alg = signingAlgorithm(signingKeyObject, req.signatureBits, req.usePss);
  const subject = new Uint8Array(req.subject.toArrayBuffer());
  const issuer = 'selfKey' in signer ? { name: subject, ski: keyIdentifier(spki) } : issuerPartsOf(signer.cert);
  return signCertificate({
    serialHex: req.serialHex, issuer: issuer.name, subject, notBefore: req.notBefore, notAfter: req.notAfter, spki, sans: req.sans,
    fixed: {
      isCa: req.isCa, maxPathLength: req.maxPathLength, basicConstraintsForLeaf: req.basicConstraintsForLeaf, keyUsage: req.keyUsage,
      extKeyUsage: req.extKeyUsage, parentSki: issuer.ski, urls: req.urls, permittedDnsDomains: req.permittedDnsDomains, policyOids: req.policyOids,
    },
  }, { keyId: signer.keyId, key: signingKeyObject }, alg);
}

/** Like buildCertificateDer, answering the parsed certificate (the CA paths read its fields). */
export async function buildCertificate(req: CertRequest, signer: Signer | { selfKey: KeyObject; keyId: string }): Promise<x509.X509Certificate> {
  return new x509.X509Certificate(new Uint8Array((await buildCertificateDer(req, signer)).der));
}

/** Parses one PEM certificate; refuses anything else with Vault's words. */
export function parseCertificate(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem.trim());
  } catch {
    throw new BadRequest('unable to parse certificate');
  }
}

export { pemBlocks } from '../../util/pem.js';

/** PEM with no trailing newline, as Vault returns it. */
export function certPem(cert: x509.X509Certificate): string {
  return cert.toString('pem').trim();
}

/** Parses a CSR in PEM. */
export function parseCsr(pem: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(pem.trim());
  } catch {
    throw new BadRequest('certificate request could not be parsed');
  }
}

/** The CSR's subject alternative names. */
export function csrSans(csr: x509.Pkcs10CertificateRequest): Sans {
  const ext = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const names = ext?.names.items ?? [];
  return {
    dns: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ip: names.filter((n) => n.type === 'ip').map((n) => n.value),
    uri: names.filter((n) => n.type === 'url').map((n) => n.value),
    email: names.filter((n) => n.type === 'email').map((n) => n.value),
  };
}

/** The first value of an attribute of a name (CN and friends). */
export function nameValue(name: x509.Name, oid: string): string | undefined {
  return name.getField(oid)[0];
}

/** Node's own parser, about 3x faster, for hot paths that only need dates and serials. */
export function fastParse(pem: string): NodeCertificate {
  return new NodeCertificate(pem);
}

/** Unix seconds of a date. */
export const unix = (d: Date) => Math.floor(d.getTime() / 1000);
