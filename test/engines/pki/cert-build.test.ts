// cert-build.ts assembles the TBSCertificate from schema classes; it must be byte for byte what
// @peculiar/x509's X509CertificateGenerator.create writes for the same inputs (same extension
// classes, same order), and its signature must verify under the issuer's key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { buildCertificate, buildCertificateDer, subjectName, urlExtensions, type CertRequest, type Signer } from '../../../src/engines/pki/certs.js';
import { cryptoSigningKey, generateKey, signingAlgorithm, spkiOf, type KeyType } from '../../../src/engines/pki/keys.js';
import { x509 } from '../../../src/engines/pki/x509.js';

/** The certificate the library's generator writes for `req`, signed by `signer`. */
async function reference(req: CertRequest, signer: Signer): Promise<x509.X509Certificate> {
  const spki = new Uint8Array(Buffer.isBuffer(req.publicKey) ? req.publicKey : spkiOf(req.publicKey));
  const alg = signingAlgorithm(signer.key, req.signatureBits, req.usePss);
  const ext: x509.Extension[] = [];
  if (req.isCa || req.basicConstraintsForLeaf) ext.push(new x509.BasicConstraintsExtension(req.isCa, req.isCa ? req.maxPathLength : undefined, true));
  if (req.keyUsage !== 0) ext.push(new x509.KeyUsagesExtension(req.keyUsage, true));
  if (req.extKeyUsage.length > 0) ext.push(new x509.ExtendedKeyUsageExtension(req.extKeyUsage, false));
  ext.push(await x509.SubjectKeyIdentifierExtension.create(spki));
  ext.push(new x509.AuthorityKeyIdentifierExtension(signer.cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId));
  const names: x509.JsonGeneralName[] = [
    ...req.sans.dns.map((value) => ({ type: 'dns' as const, value })), ...req.sans.email.map((value) => ({ type: 'email' as const, value })),
    ...req.sans.ip.map((value) => ({ type: 'ip' as const, value })), ...req.sans.uri.map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(names, false));
  if (req.urls) ext.push(...urlExtensions(req.urls));
  if (req.policyOids?.length) ext.push(new x509.CertificatePolicyExtension(req.policyOids));
  return x509.X509CertificateGenerator.create({
    serialNumber: req.serialHex, subject: req.subject, issuer: signer.cert.subjectName, notBefore: req.notBefore, notAfter: req.notAfter,
    publicKey: spki, signingKey: await cryptoSigningKey(signer.keyId, signer.key, alg), signingAlgorithm: alg.sign, extensions: ext,
  });
}

const tbsOf = (raw: ArrayBuffer | Uint8Array) => Buffer.from(AsnConvert.serialize(AsnConvert.parse(raw, Certificate).tbsCertificate));

// Each root its own key id: the WebCrypto import cache is keyed by it.
let roots = 0;

async function rootOf(type: KeyType, bits: number): Promise<Signer> {
  const key = await generateKey(type, bits);
  const keyId = `test-root-${roots++}`;
  const cert = await buildCertificate({
    subject: subjectName({ common_name: `root ${type}`, organization: ['Lockbox'] }), publicKey: key, notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2060, 0, 1, 12, 30, 15, 250)), serialHex: '1f'.repeat(20), sans: { dns: [], ip: [], uri: [], email: [] },
    isCa: true, maxPathLength: 2, keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, extKeyUsage: [],
    permittedDnsDomains: ['example.com'], signatureBits: 0, usePss: false,
  }, { selfKey: key, keyId });
  return { cert, keyId, key };
}

const leafRequest = (publicKey: KeyObject, extra: Partial<CertRequest> = {}): CertRequest => ({
  subject: subjectName({ common_name: 'leaf.example.com', ou: ['ops'], country: ['DE'] }), publicKey,
  notBefore: new Date(Date.UTC(2026, 5, 1, 8, 0, 0, 999)), notAfter: new Date(Date.UTC(2027, 5, 1)), serialHex: '3a'.repeat(20),
  sans: { dns: ['leaf.example.com', 'b.example.com'], ip: ['10.0.0.1', '::1'], uri: ['spiffe://x/y'], email: ['a@example.com'] },
  isCa: false, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, extKeyUsage: ['1.3.6.1.5.5.7.3.1'],
  urls: { issuing_certificates: ['http://ca/ca'], crl_distribution_points: ['http://ca/crl'], ocsp_servers: ['http://ca/ocsp'] },
  signatureBits: 0, usePss: false, policyOids: ['1.2.3.4'], ...extra,
});

const cases: Array<[string, KeyType, number, Partial<CertRequest>]> = [
  ['ec-256', 'ec', 256, {}],
  ['ec-384, leaf basic constraints, after 2050', 'ec', 384, { basicConstraintsForLeaf: true, notAfter: new Date(Date.UTC(2055, 1, 2, 3, 4, 5, 678)) }],
  ['rsa-2048 PKCS#1 v1.5, SHA-384', 'rsa', 2048, { signatureBits: 384 }],
  ['rsa-2048 PSS', 'rsa', 2048, { usePss: true }],
  ['ec-256, DNS, URI and email names only', 'ec', 256, { sans: { dns: ['a.example.com', 'b.example.com'], ip: [], uri: ['spiffe://x'], email: ['m@example.com'] } }],
  ['ec-256, a non-ASCII name', 'ec', 256, { sans: { dns: ['bücher.example'], ip: [], uri: [], email: [] } }],
  ['ed25519, no SANs, no URLs', 'ed25519', 0, { sans: { dns: [], ip: [], uri: [], email: [] }, urls: undefined, policyOids: [] }],
];

for (const [name, type, bits, extra] of cases) {
  test(`${name}: the TBSCertificate is the generator's, and the signature verifies`, async () => {
    const root = await rootOf(type, bits);
    const leafKey = await generateKey('ec', 256);
    const req = leafRequest(leafKey, extra);
    const ours = await buildCertificateDer(req, root);
    const theirs = await reference(req, root);
    assert.deepEqual(tbsOf(ours.der), tbsOf(theirs.rawData));
    assert.equal(ours.pem, new x509.X509Certificate(new Uint8Array(ours.der)).toString('pem').trim());
    assert.ok(new NodeCertificate(ours.der).verify(new NodeCertificate(Buffer.from(root.cert.rawData)).publicKey));
  });
}

test('a self-signed CA: its AKI is its own SKI and it verifies under its own key', async () => {
  const root = await rootOf('ec', 256);
  const node = new NodeCertificate(Buffer.from(root.cert.rawData));
  assert.ok(node.verify(node.publicKey));
  assert.ok(node.checkIssued(node));
  const ski = root.cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
  assert.equal(root.cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId, ski);
  assert.equal(ski, (await x509.SubjectKeyIdentifierExtension.create(new Uint8Array(spkiOf(root.key)))).keyId);
  assert.equal(root.cert.getExtension(x509.BasicConstraintsExtension)!.pathLength, 2);
});
