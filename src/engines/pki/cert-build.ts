// Builds and signs a certificate as DER, bytes for bytes what X509CertificateGenerator.create
// writes for the same inputs, without its overheads on every issue: the generator parses each
// extension, the subject, the issuer name and the SPKI back into schema objects to serialize
// them again, hashes the SKI with an async WebCrypto digest, and parses the finished
// certificate once more to answer an X509Certificate. Here the TBSCertificate is spliced from
// DER parts (crl-der.ts's tlv), the extensions that depend only on the role and the issuer
// (basic constraints, usages, AKI, URLs, name constraints, policies) are encoded once per
// distinct set of inputs, and the answer is the DER and PEM callers store and return.
import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, Validity, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { serialBytes, tlv } from './crl-der.js';
import type { SigningAlgorithm } from './keys.js';
import { signDer, signatureAlgorithmId, type SigningKey } from './sign.js';
import { x509 } from './x509.js';

/** AIA and CRL distribution URLs (from config/urls or the issuer's own). */
export type Urls = { issuing_certificates: string[]; crl_distribution_points: string[]; ocsp_servers: string[] };

/** Subject alternative names to put in a certificate. */
export type Sans = { dns: string[]; ip: string[]; uri: string[]; email: string[] };

/** The extensions fixed by the role and the issuer, not by the request. */
export type FixedExtensions = {
  isCa: boolean;
  maxPathLength?: number;
  basicConstraintsForLeaf?: boolean;
  keyUsage: number;
  extKeyUsage: string[];
  /** The issuer's SKI (hex), which becomes the AKI; for a self-signed certificate, its own. */
  parentSki?: string;
  urls?: Urls;
  permittedDnsDomains?: string[];
  policyOids?: string[];
};

/** What one certificate says, as DER-ready parts. */
export type TbsParts = {
  serialHex: string;
  /** DER of the issuer's and the subject's Name. */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  sans: Sans;
  fixed: FixedExtensions;
};

/** A signed certificate: its DER and PEM (no trailing newline, as Vault returns it). */
export type BuiltCertificate = { der: Buffer; pem: string };

/** The AIA and CRL distribution point extensions for these URLs (none when empty). */
export function urlExtensions(urls: Urls): x509.Extension[] {
  const out: x509.Extension[] = [];
  const { issuing_certificates: caIssuers, ocsp_servers: ocsp, crl_distribution_points: crl } = urls;
  if (caIssuers.length > 0 || ocsp.length > 0) {
    out.push(new x509.AuthorityInfoAccessExtension({
      ...(ocsp.length > 0 ? { ocsp: ocsp.map((value) => new x509.GeneralName('url', value)) } : {}),
      ...(caIssuers.length > 0 ? { caIssuers: caIssuers.map((value) => new x509.GeneralName('url', value)) } : {}),
    }));
  }
  if (crl.length > 0) out.push(new x509.CRLDistributionPointsExtension(crl));
  return out;
}

/** Name constraints permitting only these DNS subtrees. */
function nameConstraintsExtension(domains: string[]): x509.Extension {
  const permitted = domains.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(permitted) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/** The fixed extensions' DER, split around where SKI and SAN go (the order the certificate has always had). */
type FixedDer = { beforeSki: Buffer[]; afterSan: Buffer[]; aki?: Buffer };

function encodeFixed(f: FixedExtensions): FixedDer {
  const raw = (e: x509.Extension) => Buffer.from(e.rawData);
  const beforeSki: Buffer[] = [];
  if (f.isCa || f.basicConstraintsForLeaf) {
    const pathLength = f.isCa && f.maxPathLength !== undefined && f.maxPathLength >= 0 ? f.maxPathLength : undefined;
    beforeSki.push(raw(new x509.BasicConstraintsExtension(f.isCa, pathLength, true)));
  }
  if (f.keyUsage !== 0) beforeSki.push(raw(new x509.KeyUsagesExtension(f.keyUsage, true)));
  if (f.extKeyUsage.length > 0) beforeSki.push(raw(new x509.ExtendedKeyUsageExtension(f.extKeyUsage, false)));
  const afterSan: Buffer[] = [];
  if (f.urls) afterSan.push(...urlExtensions(f.urls).map(raw));
  if (f.permittedDnsDomains && f.permittedDnsDomains.length > 0) afterSan.push(raw(nameConstraintsExtension(f.permittedDnsDomains)));
  if (f.policyOids && f.policyOids.length > 0) afterSan.push(raw(new x509.CertificatePolicyExtension(f.policyOids)));
  return { beforeSki, afterSan, aki: f.parentSki ? raw(new x509.AuthorityKeyIdentifierExtension(f.parentSki)) : undefined };
}

// Encoded fixed extensions by their inputs: a role issuing under one issuer encodes them once.
const fixedCache = new Map<string, FixedDer>();

function fixedDer(f: FixedExtensions): FixedDer {
  const key = JSON.stringify([f.isCa, f.maxPathLength, f.basicConstraintsForLeaf, f.keyUsage, f.extKeyUsage, f.parentSki, f.urls, f.permittedDnsDomains, f.policyOids]);
  let found = fixedCache.get(key);
  if (!found) {
    if (fixedCache.size >= 256) fixedCache.clear();
    found = encodeFixed(f);
    fixedCache.set(key, found);
  }
  return found;
}

/** Where a DER element's content starts and where the element ends. */
function element(der: Uint8Array, at: number): { content: number; end: number } {
  const first = der[at + 1]!;
  if (first < 0x80) return { content: at + 2, end: at + 2 + first };
  let length = 0;
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[at + 2 + i]!;
  const content = at + 2 + (first & 0x7f);
  return { content, end: content + length };
}

/** RFC 5280's key identifier (method 1): SHA-1 of the SPKI's subjectPublicKey bits, hex. */
export function keyIdentifier(spki: Uint8Array): string {
  const algorithm = element(spki, element(spki, 0).content);
  const bits = element(spki, algorithm.end);
  // The BIT STRING's first content byte counts unused bits (always 0 for a key).
  return createHash('sha1').update(spki.subarray(bits.content + 1, bits.end)).digest('hex');
}

// GeneralName tags (context-specific, primitive): rfc822Name [1], dNSName [2], URI [6].
const SAN_TAG = { email: 0x81, dns: 0x82, url: 0x86 } as const;
// Extension { extnID 2.5.29.17, extnValue }: the OID's DER (non-critical, so no BOOLEAN).
const SAN_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]);
const ASCII = /^[\x00-\x7f]*$/;

function sanDer(sans: Sans): Buffer | undefined {
  const names: x509.JsonGeneralName[] = [
    ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
    ...sans.email.map((value) => ({ type: 'email' as const, value })),
    ...sans.ip.map((value) => ({ type: 'ip' as const, value })),
    ...sans.uri.map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length === 0) return undefined;
  // IA5String names in ASCII are their bytes: written directly. IP addresses and anything
  // else go through the library's converters.
  if (sans.ip.length > 0 || !names.every((n) => ASCII.test(n.value))) return Buffer.from(new x509.SubjectAlternativeNameExtension(names, false).rawData);
  const general = names.map((n) => tlv(SAN_TAG[n.type as keyof typeof SAN_TAG], Buffer.from(n.value, 'latin1')));
  return tlv(0x30, Buffer.concat([SAN_OID, tlv(0x04, tlv(0x30, Buffer.concat(general)))]));
}

// DER of each signature AlgorithmIdentifier, by its WebCrypto parameters.
const algorithmIds = new Map<string, Buffer>();

function algorithmIdDer(alg: SigningAlgorithm): Buffer {
  const key = JSON.stringify([alg.importParams, alg.sign]);
  let found = algorithmIds.get(key);
  if (!found) {
    found = Buffer.from(AsnConvert.serialize(signatureAlgorithmId(alg)));
    algorithmIds.set(key, found);
  }
  return found;
}

/** PEM of a certificate's DER: 64-character lines, no trailing newline. */
export function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = ['-----BEGIN CERTIFICATE-----'];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  lines.push('-----END CERTIFICATE-----');
  return lines.join('\n');
}

/** Writes and signs the certificate `parts` describe. */
export async function signCertificate(parts: TbsParts, signer: SigningKey, alg: SigningAlgorithm): Promise<BuiltCertificate> {
  const fixed = fixedDer(parts.fixed);
  const ski = Buffer.from(new x509.SubjectKeyIdentifierExtension(keyIdentifier(parts.spki)).rawData);
  const extensions = [...fixed.beforeSki, ski, ...(fixed.aki ? [fixed.aki] : []), ...[sanDer(parts.sans)].filter((e) => e !== undefined), ...fixed.afterSan];
  const algorithmId = algorithmIdDer(alg);
  const tbs = tlv(0x30, Buffer.concat([
    Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]), // [0] EXPLICIT version v3
    tlv(0x02, serialBytes(parts.serialHex)),
    algorithmId,
    parts.issuer,
    Buffer.from(AsnConvert.serialize(new Validity({ notBefore: parts.notBefore, notAfter: parts.notAfter }))),
    parts.subject,
    parts.spki,
    tlv(0xa3, tlv(0x30, Buffer.concat(extensions))),
  ]));
  const signature = Buffer.from(await signDer(signer, alg, tbs));
  const der = tlv(0x30, Buffer.concat([tbs, algorithmId, tlv(0x03, Buffer.concat([Buffer.alloc(1), signature]))]));
  return { der, pem: derToPem(der) };
}
