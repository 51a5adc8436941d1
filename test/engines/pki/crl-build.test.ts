// The CRL builder (schema classes throughout, entries serialized once and placed as bytes):
// entries encode serials as minimal positive INTEGERs and times as UTCTime through 2049,
// GeneralizedTime from 2050; a CRL from stored entries is byte for byte the one from entries
// encoded during the build, and both are exactly what @peculiar/asn1-x509 serializes for the
// parsed CRL; openssl and @peculiar/x509 verify the signature against the issuer.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsnConvert, AsnSerializer } from '@peculiar/asn1-schema';
import { CertificateList, RevokedCertificate } from '@peculiar/asn1-x509';
import { buildCertificate, newSerialHex, subjectName } from '../../../src/engines/pki/certs.js';
import { buildCrl, type CrlContents } from '../../../src/engines/pki/crl-build.js';
import { storedCrlEntry } from '../../../src/engines/pki/crl-entry.js';
import { generateKey, signingAlgorithm } from '../../../src/engines/pki/keys.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { openssl, tempFiles } from './helpers.js';

const files = tempFiles();
after(() => files.cleanup());

const entry = (serialHex: string, revokedAt: number) => AsnConvert.parse(Buffer.from(storedCrlEntry(serialHex, revokedAt), 'base64'), RevokedCertificate);

test('serials are minimal positive INTEGERs', () => {
  const cases: Array<[string, string]> = [['00ff', '00ff'], ['0001', '01'], ['80', '0080'], ['abc', '0abc'], ['00', '00'], ['', '00'], ['0000000080', '0080'], ['7f01', '7f01']];
  for (const [hex, octets] of cases) assert.equal(Buffer.from(entry(hex, 0).userCertificate).toString('hex'), octets, hex);
});

test('revocation times are UTCTime through 2049 and GeneralizedTime from 2050, to the second', () => {
  const last2049 = Date.UTC(2049, 11, 31, 23, 59, 59) / 1000;
  const utc = entry('01', last2049).revocationDate;
  assert.deepEqual([utc.utcTime?.getTime(), utc.generalTime], [last2049 * 1000, undefined]);
  const gen = entry('01', last2049 + 1).revocationDate;
  assert.deepEqual([gen.utcTime, gen.generalTime?.getTime()], [undefined, (last2049 + 1) * 1000]);
  assert.equal(Buffer.from(storedCrlEntry('01', 1_700_000_000), 'base64').toString('hex'), '3012020101170d3233313131343232313332305a');
});

test('a CRL of 300 entries: stored or not, the same bytes, what the schema classes serialize, verified by openssl', async () => {
  const key = await generateKey('ed25519', 0); // deterministic signatures: whole CRLs compare
  const alg = signingAlgorithm(key, 0, false);
  const cert = await buildCertificate({
    subject: subjectName({ common_name: 'crl builder', organization: ['Lockbox'] }), publicKey: key, notBefore: new Date(), notAfter: new Date(Date.now() + 3600e3),
    serialHex: newSerialHex(), sans: { dns: [], ip: [], uri: [], email: [] }, isCa: true, keyUsage: 0, extKeyUsage: [], signatureBits: 0, usePss: false,
  }, { selfKey: key, keyId: 'crl-builder' });
  const odd = ['00ff', '0001', '80', 'abc', '7f01', '80ff', '0000000080'];
  const entries = Array.from({ length: 300 }, (_, i) => ({ serialHex: odd[i] ?? newSerialHex(), revokedAt: i % 7 === 0 ? 2_600_000_000 + i : 1_700_000_000 + i * 3_600 }));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const signer = { keyId: 'crl-builder', key };
  for (const list of [entries, entries.slice(0, 1), []]) {
    for (const deltaOf of [undefined, 3]) {
      const contents: CrlContents = { issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600e3), number: 4, deltaOf, entries: list };
      const der = await buildCrl(signer, alg, contents);
      const what = `${list.length} entries, delta ${deltaOf}`;
      const stored = { ...contents, entries: list.map((e) => ({ ...e, der: storedCrlEntry(e.serialHex, e.revokedAt) })) };
      assert.deepEqual(await buildCrl(signer, alg, stored), der, `stored: ${what}`);
      assert.deepEqual(Buffer.from(AsnSerializer.serialize(AsnConvert.parse(der, CertificateList))), der, `schema serialization: ${what}`);
      const crl = new x509.X509Crl(new Uint8Array(der));
      assert.ok(await crl.verify({ publicKey: cert.publicKey }), what);
      assert.equal(crl.entries.length, list.length, what);
      if (list.length === 0) assert.equal(AsnConvert.parse(der, CertificateList).tbsCertList.revokedCertificates, undefined, 'no empty list is written');
    }
  }
  const der = await buildCrl(signer, alg, { issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600e3), number: 4, entries });
  const crlFile = files.writeBytes('built.der', der);
  const caFile = files.write('ca.pem', cert.toString('pem'));
  assert.match((await openssl('crl', '-inform', 'DER', '-in', crlFile, '-CAfile', caFile, '-noout')).out, /verify OK/);
  const text = (await openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text')).out;
  assert.equal(text.match(/Serial Number:/g)?.length, entries.length);
  assert.match(text, /Serial Number: 80FF\n/);
  assert.match(text, /Revocation Date: May 22 .*2052 GMT/);
});
