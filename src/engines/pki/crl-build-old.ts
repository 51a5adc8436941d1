// (Kept only to compare the library builder with, then deleted.) Builds a signed CRL: the fixed fields and extensions from @peculiar/asn1-x509's schema
// classes, the revoked list as DER written by crl-der.ts (as schema objects it needs kilobytes
// per entry), spliced in between. X509CrlGenerator.create compares every entry with every
// earlier one (10,000 entries take seconds); serials here come from distinct storage keys, so
// the list is built in one linear pass.
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BaseCRLNumber, Certificate, CRLNumber, Extension, Extensions, KeyIdentifier,
  TBSCertList, Time, Version, id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_deltaCRLIndicator, id_ce_subjectKeyIdentifier,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { revokedListDer, tlv } from './crl-der.js';
import type { CrlContents } from './crl-build.js';
import type { SigningAlgorithm } from './keys.js';
import { signDer, signatureAlgorithmId, type SigningKey } from './sign.js';




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

/** The content octets of a DER SEQUENCE (what follows its tag and length). */
function sequenceContent(der: ArrayBuffer): Buffer {
  const bytes = Buffer.from(der);
  const first = bytes[1]!;
  return bytes.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f));
}

/** Builds and signs a CRL; answers its DER. */
export async function buildCrlHandWritten(signer: SigningKey, alg: SigningAlgorithm, contents: CrlContents): Promise<Buffer> {
  const cert = AsnConvert.parse(contents.issuerCert, Certificate);
  // version, signature, issuer, thisUpdate, nextUpdate: then the revoked list, then [0] extensions.
  const head = new TBSCertList({
    version: Version.v2,
    signature: signatureAlgorithmId(alg),
    issuer: cert.tbsCertificate.subject,
    thisUpdate: new Time(contents.thisUpdate),
    nextUpdate: new Time(contents.nextUpdate),
  });
  const extensions = tlv(0xa0, Buffer.from(AsnConvert.serialize(new Extensions(crlExtensions(cert, contents)))));
  const tbs = tlv(0x30, Buffer.concat([
    sequenceContent(AsnConvert.serialize(head)),
    ...(contents.entries.length > 0 ? [revokedListDer(contents.entries)] : []),
    extensions,
  ]));
  // The signature algorithm appears twice: inside what is signed and beside the signature.
  const signature = Buffer.from(await signDer(signer, alg, tbs));
  return tlv(0x30, Buffer.concat([tbs, Buffer.from(AsnConvert.serialize(signatureAlgorithmId(alg))), tlv(0x03, Buffer.concat([Buffer.alloc(1), signature]))]));
}
