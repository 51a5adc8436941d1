// root/sign-self-issued (sudo, one of Vault's two Root paths) and issuer/:ref/sign-self-issued: re-signs a self-issued CA
// certificate with an issuer of this mount, keeping its subject, key, serial, validity and
// extensions, with the issuer's AIA/CRL URLs and AKI, as Vault does. Nothing is stored.
import { createPublicKey } from 'node:crypto';
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { FieldValues } from '../../../core/fields.js';
import { BadRequest } from '../../../util/errors.js';
import { certPem, pemBlocks, urlExtensions } from '../certs.js';
import { resolveIssuer, signerOf } from '../issuers.js';
import { cryptoSigningKey, describeKey, signingAlgorithm } from '../keys.js';
import { effectiveUrls } from '../urls.js';
import { x509 } from '../x509.js';

const fields = {
  certificate: field.string({ description: 'The PEM self-issued CA certificate to sign.' }),
  require_matching_certificate_algorithms: field.bool({ description: "Refuse when the issuer's key type differs from the certificate's.", default: false }),
  issuer_ref: field.string({ description: 'The signing issuer.', default: 'default' }),
};

// Go's x509.PublicKeyAlgorithm names, which Vault's error text prints.
const GO_NAMES: Record<string, string> = { rsa: 'RSA', ec: 'ECDSA', ed25519: 'Ed25519' };
// Dropped from the copy: replaced by the signing issuer's AIA, CRL DP and AKI.
const REPLACED = new Set(['1.3.6.1.5.5.7.1.1', '2.5.29.31', '2.5.29.35']);

async function signSelfIssued(ctx: HandlerContext<FieldValues<typeof fields>>) {
  const f = ctx.fields;
  const blocks = pemBlocks(f.certificate).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new BadRequest('error parsing certificate: no certificates found in PEM file');
  if (blocks.length !== 1) throw new BadRequest(`${blocks.length} certificates found in PEM file, expected 1`);
  let cert: x509.X509Certificate;
  try { cert = new x509.X509Certificate(blocks[0]!.pem); } catch { throw new BadRequest('error parsing certificate: the certificate could not be parsed'); }
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca !== true) throw new BadRequest('given certificate is not a CA certificate');
  if (!Buffer.from(cert.subjectName.toArrayBuffer()).equals(Buffer.from(cert.issuerName.toArrayBuffer()))) throw new BadRequest('given certificate is not self-issued');
  const issuer = await resolveIssuer(ctx.storage, f.issuer_ref);
  const signer = await signerOf(ctx.storage, issuer);
  const signerType = describeKey(signer.key).type;
  const certType = describeKey(createPublicKey(cert.toString('pem'))).type;
  if (signerType !== certType && f.require_matching_certificate_algorithms) {
    // Vault answers this with a 500; Lockbox's 500s never carry their text, so it is a 400 here.
    throw new BadRequest(`signing certificate's public key algorithm (${GO_NAMES[signerType]}) does not match submitted certificate's (${GO_NAMES[certType]}), and require_matching_certificate_algorithms is true`);
  }
  const alg = signingAlgorithm(signer.key, 0, false);
  const signingKey = await cryptoSigningKey(signer.keyId, signer.key, alg);
  const parentSki = signer.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const extensions = [
    ...cert.extensions.filter((e) => !REPLACED.has(e.type)),
    ...(parentSki ? [new x509.AuthorityKeyIdentifierExtension(parentSki)] : []),
    ...urlExtensions(await effectiveUrls(ctx.storage, issuer, issuer.id)),
  ];
  const signed = await x509.X509CertificateGenerator.create({
    serialNumber: cert.serialNumber, subject: cert.subjectName, issuer: signer.cert.subjectName,
    notBefore: cert.notBefore, notAfter: cert.notAfter, publicKey: new Uint8Array(cert.publicKey.rawData),
    signingKey, signingAlgorithm: alg.sign, extensions,
  });
  return { data: { certificate: certPem(signed), issuing_ca: issuer.certificate } };
}

export const selfIssuedPaths = [
  definePath({ pattern: 'root/sign-self-issued', fields, summary: 'Sign a self-issued CA certificate with the default issuer.', sudo: true, operations: { update: signSelfIssued } }),
  definePath({
    pattern: 'issuer/:issuer_ref/sign-self-issued', fields: { ...fields, issuer_ref: field.name({ description: 'The signing issuer.' }) },
    summary: 'Sign a self-issued CA certificate with this issuer.', operations: { update: signSelfIssued },
  }),
];
