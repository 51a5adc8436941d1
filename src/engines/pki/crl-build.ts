// Builds a signed CRL from @peculiar/asn1-x509's schema classes. X509CrlGenerator.create
// compares every entry with every earlier one (10,000 entries take seconds); serials here
// come from distinct storage keys, so the list is built in one linear pass.
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BaseCRLNumber, Certificate, CertificateList, CRLNumber, Extension, KeyIdentifier, RevokedCertificate,
  TBSCertList, Time, Version, id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_deltaCRLIndicator, id_ce_subjectKeyIdentifier,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { SigningAlgorithm } from './keys.js';
import { signDer, signatureAlgorithmId, type SigningKey } from './sign.js';

/** One revoked serial (plain hex) and when it was revoked (unix seconds). */
export type CrlEntry = { serialHex: string; revokedAt: number };

/** What a CRL says, apart from its signature. */
export type CrlContents = {
  /** The issuer's certificate, DER: its subject becomes the CRL issuer, its SKI the AKI. */
  issuerCert: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  number: number;
  /** For a delta CRL: the number of the complete CRL it extends (a critical indicator). */
  deltaOf?: number;
  entries: CrlEntry[];
};

const extension = (extnID: string, critical: boolean, value: unknown) =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/** A serial as a DER INTEGER's content: minimal, with a zero byte when the top bit is set. */
function serialBytes(hex: string): ArrayBuffer {
  let bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.alloc(1);
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.alloc(1), bytes]);
  return new Uint8Array(bytes).buffer;
}

/** The extensions every CRL of ours carries: AKI (when the issuer has an SKI), CRL number, delta indicator. */
function crlExtensions(cert: Certificate, contents: CrlContents): Extension[] {
  const out: Extension[] = [];
  const ski = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (ski) {
    const keyId = AsnConvert.parse(ski.extnValue, SubjectKeyIdentifier);
    out.push(extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId.buffer) })));
  }
  out.push(extension(id_ce_cRLNumber, false, new CRLNumber(contents.number)));
  if (contents.deltaOf !== undefined) out.push(extension(id_ce_deltaCRLIndicator, true, new BaseCRLNumber(contents.deltaOf)));
  return out;
}

/** Builds and signs a CRL; answers its DER. */
export async function buildCrl(signer: SigningKey, alg: SigningAlgorithm, contents: CrlContents): Promise<Buffer> {
  const cert = AsnConvert.parse(contents.issuerCert, Certificate);
  const tbs = new TBSCertList({
    version: Version.v2,
    issuer: cert.tbsCertificate.subject,
    thisUpdate: new Time(contents.thisUpdate),
    nextUpdate: new Time(contents.nextUpdate),
    crlExtensions: crlExtensions(cert, contents),
  });
  if (contents.entries.length > 0) {
    tbs.revokedCertificates = contents.entries.map((e) => new RevokedCertificate({
      userCertificate: serialBytes(e.serialHex), revocationDate: new Time(new Date(e.revokedAt * 1000)),
    }));
  }
  // The signature algorithm appears twice: inside what is signed and beside the signature.
  tbs.signature = signatureAlgorithmId(alg);
  const signature = await signDer(signer, alg, AsnConvert.serialize(tbs));
  return Buffer.from(AsnConvert.serialize(new CertificateList({ tbsCertList: tbs, signatureAlgorithm: signatureAlgorithmId(alg), signature })));
}
