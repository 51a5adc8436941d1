// Builds a signed CRL with @peculiar/asn1-x509's schema classes: TBSCertList and
// CertificateList, the revoked list made of entries serialized once (crl-entry.ts) and placed
// as bytes, and the TBSCertList's bytes placed in the CertificateList as they were signed.
// X509CrlGenerator.create compares every entry with every earlier one (10,000 entries take
// seconds); serials here come from distinct storage keys, so the list is built in one pass.
import { AsnConvert, AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BaseCRLNumber, Certificate, CertificateList, CRLNumber, Extension, KeyIdentifier, type RevokedCertificate,
  TBSCertList, Time, Version, id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_deltaCRLIndicator, id_ce_subjectKeyIdentifier,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { Encoded, listedEntry, type CrlEntry } from './crl-entry.js';
import type { SigningAlgorithm } from './keys.js';
import { signDer, signatureAlgorithmId, type SigningKey } from './sign.js';

export type { CrlEntry } from './crl-entry.js';

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
  const tbs = AsnSerializer.serialize(new TBSCertList({
    version: Version.v2,
    signature: signatureAlgorithmId(alg),
    issuer: cert.tbsCertificate.subject,
    thisUpdate: new Time(contents.thisUpdate),
    nextUpdate: new Time(contents.nextUpdate),
    // An empty list is left out rather than written as an empty SEQUENCE (RFC 5280 5.1.2.6).
    revokedCertificates: contents.entries.length > 0 ? contents.entries.map(listedEntry) as unknown as RevokedCertificate[] : undefined,
    crlExtensions: crlExtensions(cert, contents),
  }));
  // The signature algorithm appears twice: inside what is signed and beside the signature.
  const signature = await signDer(signer, alg, tbs);
  return Buffer.from(AsnSerializer.serialize(new CertificateList({
    tbsCertList: new Encoded({ data: tbs }) as unknown as TBSCertList, signatureAlgorithm: signatureAlgorithmId(alg), signature,
  })));
}
