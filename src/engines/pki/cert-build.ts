// Builds and signs a certificate from @peculiar/asn1-x509's schema classes, the same
// structure X509CertificateGenerator.create writes for the same inputs, without what that
// costs on every issue: the generator parses each extension, the subject, the issuer name and
// the SPKI back into schema objects before serializing them, hashes the SKI with an async
// WebCrypto digest, and parses the finished certificate once more. Here the extensions fixed
// by the role and the issuer (basic constraints, usages, AKI, URLs, name constraints,
// policies) are schema objects made once per distinct set of inputs, the issuer's Name is
// parsed once per issuer, and the answer is the DER and PEM callers store and return.
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  Certificate, Extension, Extensions, FreshestCRL, GeneralName, GeneralSubtree, GeneralSubtrees, Name, NameConstraints, SubjectKeyIdentifier,
  SubjectPublicKeyInfo, TBSCertificate, Validity, Version, id_ce_freshestCRL, id_ce_nameConstraints, id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { SigningAlgorithm } from './keys.js';
import { signDer, signatureAlgorithmId, type SigningKey } from './sign.js';
import { x509 } from './x509.js';

/** AIA and CRL distribution URLs (from config/urls or the issuer's own); delta ones go in Freshest CRL. */
export type Urls = { issuing_certificates: string[]; crl_distribution_points: string[]; delta_crl_distribution_points?: string[]; ocsp_servers: string[] };

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
  const delta = urls.delta_crl_distribution_points ?? [];
  if (delta.length > 0) {
    // RFC 5280 4.2.1.15: the same syntax as CRL distribution points, never critical.
    const points = new x509.CRLDistributionPointsExtension(delta).distributionPoints;
    out.push(new x509.Extension(id_ce_freshestCRL, false, AsnConvert.serialize(new FreshestCRL(points))));
  }
  return out;
}

/** Name constraints permitting only these DNS subtrees. */
function nameConstraintsExtension(domains: string[]): x509.Extension {
  const permitted = domains.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) }));
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(permitted) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/** The fixed extensions, split around where SKI and SAN go (the order the certificate has always had). */
type FixedSchema = { beforeSki: Extension[]; afterSan: Extension[]; aki?: Extension };

const schemaOf = (e: x509.Extension) => AsnConvert.parse(e.rawData, Extension);

function encodeFixed(f: FixedExtensions): FixedSchema {
  const beforeSki: Extension[] = [];
  if (f.isCa || f.basicConstraintsForLeaf) {
    const pathLength = f.isCa && f.maxPathLength !== undefined && f.maxPathLength >= 0 ? f.maxPathLength : undefined;
    beforeSki.push(schemaOf(new x509.BasicConstraintsExtension(f.isCa, pathLength, true)));
  }
  if (f.keyUsage !== 0) beforeSki.push(schemaOf(new x509.KeyUsagesExtension(f.keyUsage, true)));
  if (f.extKeyUsage.length > 0) beforeSki.push(schemaOf(new x509.ExtendedKeyUsageExtension(f.extKeyUsage, false)));
  const afterSan: Extension[] = [];
  if (f.urls) afterSan.push(...urlExtensions(f.urls).map(schemaOf));
  if (f.permittedDnsDomains && f.permittedDnsDomains.length > 0) afterSan.push(schemaOf(nameConstraintsExtension(f.permittedDnsDomains)));
  if (f.policyOids && f.policyOids.length > 0) afterSan.push(schemaOf(new x509.CertificatePolicyExtension(f.policyOids)));
  return { beforeSki, afterSan, aki: f.parentSki ? schemaOf(new x509.AuthorityKeyIdentifierExtension(f.parentSki)) : undefined };
}

// The fixed extensions by their inputs: a role issuing under one issuer makes them once.
// Schema objects are only read when serialized, so certificates share them.
const fixedCache = new Map<string, FixedSchema>();

function fixedSchema(f: FixedExtensions): FixedSchema {
  const key = JSON.stringify([f.isCa, f.maxPathLength, f.basicConstraintsForLeaf, f.keyUsage, f.extKeyUsage, f.parentSki, f.urls, f.permittedDnsDomains, f.policyOids]);
  let found = fixedCache.get(key);
  if (!found) {
    if (fixedCache.size >= 256) fixedCache.clear();
    found = encodeFixed(f);
    fixedCache.set(key, found);
  }
  return found;
}

/** RFC 5280's key identifier (method 1): SHA-1 of the SPKI's subjectPublicKey bits. */
const keyIdentifierBytes = (spki: SubjectPublicKeyInfo): Buffer => createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest();

/** The key identifier of a SubjectPublicKeyInfo (DER), hex. */
export const keyIdentifier = (spki: Uint8Array): string => keyIdentifierBytes(AsnConvert.parse(spki, SubjectPublicKeyInfo)).toString('hex');

/** The SKI extension, as x509.SubjectKeyIdentifierExtension writes it. */
const skiExtension = (spki: SubjectPublicKeyInfo) => new Extension({
  extnID: id_ce_subjectKeyIdentifier, critical: false,
  extnValue: new OctetString(AsnConvert.serialize(new SubjectKeyIdentifier(new Uint8Array(keyIdentifierBytes(spki))))),
});

function sanExtension(sans: Sans): Extension | undefined {
  const names: x509.JsonGeneralName[] = [
    ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
    ...sans.email.map((value) => ({ type: 'email' as const, value })),
    ...sans.ip.map((value) => ({ type: 'ip' as const, value })),
    ...sans.uri.map((value) => ({ type: 'url' as const, value })),
  ];
  return names.length === 0 ? undefined : schemaOf(new x509.SubjectAlternativeNameExtension(names, false));
}

// An issuer's Name, parsed once: callers pass the same bytes for every certificate it signs.
const parsedNames = new WeakMap<Uint8Array, Name>();

function nameOf(der: Uint8Array): Name {
  let name = parsedNames.get(der);
  if (!name) {
    name = AsnConvert.parse(der, Name);
    parsedNames.set(der, name);
  }
  return name;
}

/** A serial's INTEGER octets as the generator writes them: no leading zeros, positive. */
function serialOctets(hex: string): ArrayBuffer {
  const bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const octets = trimmed.length > 0 && trimmed[0]! > 0x7f ? Buffer.concat([Buffer.alloc(1), trimmed]) : trimmed.length > 0 ? trimmed : Buffer.alloc(1);
  return new Uint8Array(octets).buffer;
}

// The signature AlgorithmIdentifier of each WebCrypto parameter set.
const algorithmIds = new Map<string, ReturnType<typeof signatureAlgorithmId>>();

function algorithmIdOf(alg: SigningAlgorithm) {
  const key = JSON.stringify([alg.importParams, alg.sign]);
  let found = algorithmIds.get(key);
  if (!found) {
    found = signatureAlgorithmId(alg);
    algorithmIds.set(key, found);
  }
  return found;
}

/** PEM of a certificate's DER, no trailing newline (as Vault returns it). */
export const derToPem = (der: Uint8Array): string => x509.PemConverter.encode(new Uint8Array(der).buffer, 'CERTIFICATE');

/** Builds and signs the certificate `parts` describe. */
export async function signCertificate(parts: TbsParts, signer: SigningKey, alg: SigningAlgorithm): Promise<BuiltCertificate> {
  const fixed = fixedSchema(parts.fixed);
  const spki = AsnConvert.parse(parts.spki, SubjectPublicKeyInfo);
  const ski = skiExtension(spki);
  const san = sanExtension(parts.sans);
  const algorithmId = algorithmIdOf(alg);
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialOctets(parts.serialHex),
    signature: algorithmId,
    issuer: nameOf(parts.issuer),
    validity: new Validity({ notBefore: parts.notBefore, notAfter: parts.notAfter }),
    subject: AsnConvert.parse(parts.subject, Name),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([...fixed.beforeSki, ski, ...(fixed.aki ? [fixed.aki] : []), ...(san ? [san] : []), ...fixed.afterSan]),
  });
  const signatureValue = await signDer(signer, alg, AsnConvert.serialize(tbsCertificate));
  const der = Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate, signatureAlgorithm: algorithmId, signatureValue })));
  return { der, pem: derToPem(der) };
}
