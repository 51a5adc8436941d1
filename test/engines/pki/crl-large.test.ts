// CRLs with thousands of entries, built by the schema-class builder: openssl verifies them,
// @peculiar/x509 parses them once its node limit is raised, and every serial is listed. Also
// the same CRL from X509CrlGenerator for a few entries, to show the builder's output matches
// it field for field, and a delta CRL over a large complete one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import type { Storage } from '../../../src/storage/storage.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BaseCRLNumber, CertificateList, CRLNumber, id_ce_cRLNumber, id_ce_deltaCRLIndicator } from '@peculiar/asn1-x509';
import { buildCertificate, colonSerial, newSerialHex, subjectName } from '../../../src/engines/pki/certs.js';
import { buildCrl } from '../../../src/engines/pki/crl-build.js';
import { buildCrlOffLoop } from '../../../src/engines/pki/crl-offload.js';
import { cryptoSigningKey, generateKey, signingAlgorithm } from '../../../src/engines/pki/keys.js';
import { putJson } from '../../../src/engines/pki/store.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { makeIntermediate, openssl, startPkiServer, tempFiles } from './helpers.js';

const ENTRIES = 5000; // 3 ASN.1 nodes each: past @peculiar/x509's default limit of 10,000
const BER = { berOptions: { maxNodes: 1_000_000 } };

let srv: TestServer;
let intPem: string;
let storage: Storage;
const files = tempFiles();
const seeded: string[] = [];

async function download(path: string): Promise<Buffer> {
  const res = await fetch(`${srv.url}/v1/${path}`);
  assert.equal(res.status, 200, path);
  return Buffer.from(await res.arrayBuffer());
}

/** Writes `count` revocations of the default pki_int issuer straight into its store. */
async function seedRevoked(count: number, revokedAt: number): Promise<string[]> {
  const issuerId = (await srv.api('GET', 'pki_int/issuer/default')).body.data.issuer_id as string;
  const notAfter = Math.floor(Date.now() / 1000) + 3600;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const hex = newSerialHex();
    await putJson(storage, `revoked/${hex}`, { serial: colonSerial(hex), revocation_time: revokedAt, issuer_id: issuerId, certificate: '', not_after: notAfter });
    out.push(hex);
  }
  return out;
}

before(async () => {
  ({ srv } = await startPkiServer());
  intPem = await makeIntermediate(srv);
  storage = srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('mounts', 'pki_int/')!);
  seeded.push(...await seedRevoked(ENTRIES, Math.floor(Date.now() / 1000) - 60));
  assert.deepEqual((await srv.api('GET', 'pki_int/crl/rotate')).body.data, { success: true });
});
after(async () => { files.cleanup(); await srv.close(); });

test(`a CRL of ${ENTRIES} entries verifies with openssl and lists every serial`, async () => {
  const der = await download('pki_int/crl');
  const intFile = files.write('int.pem', intPem);
  const crlFile = files.writeBytes('big.der', der);
  const check = await openssl('crl', '-inform', 'DER', '-in', crlFile, '-CAfile', intFile, '-noout');
  assert.match(check.out, /verify OK/);
  const text = (await openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text')).out;
  assert.equal(text.match(/Serial Number:/g)?.length, ENTRIES);
  assert.match(text, /X509v3 Authority Key Identifier/);
  assert.match(text, /X509v3 CRL Number/);
  const pem = (await download('pki_int/crl/pem')).toString();
  assert.match(pem, /^-----BEGIN X509 CRL-----\n/);
  assert.match((await openssl('crl', '-in', files.write('big.pem', pem), '-CAfile', intFile, '-noout')).out, /verify OK/);
});

test('@peculiar/x509 parses the large CRL with a raised node limit and finds each serial', async () => {
  const der = new Uint8Array(await download('pki_int/crl'));
  assert.throws(() => new x509.X509Crl(der).entries, 'the default limit refuses it');
  const crl = new x509.X509Crl(der, BER);
  assert.ok(await crl.verify({ publicKey: new x509.X509Certificate(intPem).publicKey }));
  assert.equal(crl.entries.length, ENTRIES);
  const listed = new Set(crl.entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, '')));
  for (const hex of seeded) assert.ok(listed.has(hex.replace(/^0+/, '')), hex);
});

test('a delta CRL over the large complete one lists only the later revocations, with the indicator', async () => {
  assert.equal((await srv.api('POST', 'pki_int/config/crl', { auto_rebuild: true, enable_delta: true })).status, 200);
  try {
    const complete = new x509.X509Crl(new Uint8Array(await download('pki_int/crl')), BER);
    const later = await seedRevoked(3, Math.floor(Date.now() / 1000) + 5);
    await srv.api('GET', 'pki_int/crl/rotate-delta');
    const der = await download('pki_int/crl/delta');
    const text = (await openssl('crl', '-inform', 'DER', '-in', files.writeBytes('delta.der', der), '-noout', '-text')).out;
    assert.match(text, /Delta CRL Indicator: critical/);
    assert.match((await openssl('crl', '-inform', 'DER', '-in', files.writeBytes('delta2.der', der), '-CAfile', files.write('int2.pem', intPem), '-noout')).out, /verify OK/);
    const delta = new x509.X509Crl(new Uint8Array(der), BER);
    assert.deepEqual(delta.entries.map((e) => e.serialNumber.toLowerCase()).sort(), [...later].sort());
    const indicator = delta.extensions.find((e) => e.type === '2.5.29.27')!;
    const completeNumber = complete.extensions.find((e) => e.type === '2.5.29.20')!;
    assert.deepEqual(Buffer.from(indicator.value), Buffer.from(completeNumber.value), 'names the complete CRL number');
  } finally {
    await srv.api('POST', 'pki_int/config/crl', { auto_rebuild: false, enable_delta: false });
  }
});

test('the builder says what X509CrlGenerator says, field for field (rsa, ec, ed25519 issuers)', async () => {
  for (const [type, bits] of [['rsa', 2048], ['ec', 256], ['ed25519', 0]] as const) {
    const key = await generateKey(type, bits);
    const alg = signingAlgorithm(key, 0, false);
    const cert = await buildCertificate({
      subject: subjectName({ common_name: `builder ${type}`, organization: ['Lockbox'] }), publicKey: key, notBefore: new Date(), notAfter: new Date(Date.now() + 3600e3),
      serialHex: newSerialHex(), sans: { dns: [], ip: [], uri: [], email: [] }, isCa: true, keyUsage: 0, extKeyUsage: [], signatureBits: 0, usePss: false,
    }, { selfKey: key, keyId: `builder-${type}` });
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const next = new Date(now.getTime() + 3600e3);
    const entries = [{ serialHex: '7f01', revokedAt: 1_700_000_000 }, { serialHex: '80ff', revokedAt: 1_700_000_100 }];
    const ours = new x509.X509Crl(new Uint8Array(await buildCrl({ keyId: `builder-${type}`, key }, alg, {
      issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: next, number: 7, deltaOf: 6, entries,
    })));
    const theirs = await x509.X509CrlGenerator.create({
      issuer: cert.subjectName, thisUpdate: now, nextUpdate: next, signingAlgorithm: alg.sign,
      signingKey: await cryptoSigningKey(`builder-${type}`, key, alg),
      extensions: [
        new x509.AuthorityKeyIdentifierExtension(cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId),
        new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(7))),
        new x509.Extension(id_ce_deltaCRLIndicator, true, AsnConvert.serialize(new BaseCRLNumber(6))),
      ],
      entries: entries.map((e) => ({ serialNumber: e.serialHex, revocationDate: new Date(e.revokedAt * 1000) })),
    });
    assert.ok(await ours.verify({ publicKey: cert.publicKey }), type);
    assert.equal(ours.version, 1, 'v2');
    assert.deepEqual(Buffer.from(ours.signatureAlgorithm.name), Buffer.from(theirs.signatureAlgorithm.name));
    assert.equal(ours.issuer, theirs.issuer);
    assert.deepEqual([ours.thisUpdate, ours.nextUpdate], [theirs.thisUpdate, theirs.nextUpdate]);
    const rows = (crl: x509.X509Crl) => crl.entries.map((e) => [e.serialNumber, e.revocationDate.getTime()]);
    assert.deepEqual(rows(ours), rows(theirs));
    assert.ok(Buffer.from(ours.rawData).toString('hex').includes('02030080ff'), 'a set top bit gets a zero byte: INTEGER 00 80 ff');
    const exts = (crl: x509.X509Crl) => crl.extensions.map((e) => Buffer.from(e.rawData).toString('hex'));
    assert.deepEqual(exts(ours), exts(theirs));
  }
});

test('revocation_signature_algorithm picks the CRL signature, in Vault names, and refuses a mismatch', async () => {
  const unknown = await srv.api('PATCH', 'pki/issuer/default', { revocation_signature_algorithm: 'md5' }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.errors[0], /^Unknown signature algorithm value: 0 - valid values are sha256withrsa, /);
  const mismatch = await srv.api('POST', 'pki_int/issuer/default', { revocation_signature_algorithm: 'SHA256WithRSA' });
  assert.deepEqual([mismatch.status, mismatch.body.errors], [400, ['unable to use issuer of type ECDSA to sign with SHA256-RSA key type']]);
  const set = await srv.api('POST', 'pki/issuer/default', { revocation_signature_algorithm: 'SHA384WithRSAPSS' });
  assert.equal(set.body.data.revocation_signature_algorithm, 'SHA384WithRSAPSS');
  await srv.api('GET', 'pki/crl/rotate');
  const crlFile = files.writeBytes('pss.der', await download('pki/crl'));
  const text = (await openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text')).out;
  assert.match(text, /Signature Algorithm: rsassaPss/);
  assert.match(text, /Hash Algorithm: sha384/);
  const rootPem = (await srv.api('GET', 'pki/issuer/default')).body.data.certificate as string;
  assert.match((await openssl('crl', '-inform', 'DER', '-in', crlFile, '-CAfile', files.write('root.pem', rootPem), '-noout')).out, /verify OK/);
  await srv.api('POST', 'pki/issuer/default', { revocation_signature_algorithm: '' });
});

test('a CRL built in a worker thread says what the inline builder says', async () => {
  const key = await generateKey('ec', 384);
  const alg = signingAlgorithm(key, 0, false);
  const cert = await buildCertificate({
    subject: subjectName({ common_name: 'worker' }), publicKey: key, notBefore: new Date(), notAfter: new Date(Date.now() + 3600e3),
    serialHex: newSerialHex(), sans: { dns: [], ip: [], uri: [], email: [] }, isCa: true, keyUsage: 0, extKeyUsage: [], signatureBits: 0, usePss: false,
  }, { selfKey: key, keyId: 'worker' });
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const contents = { issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 60e3), number: 3, entries: seeded.slice(0, 50).map((serialHex) => ({ serialHex, revokedAt: 1_700_000_000 })) };
  const inWorker = new x509.X509Crl(new Uint8Array(await buildCrlOffLoop({ keyId: 'worker', key }, alg, contents, 1)));
  const inline = new x509.X509Crl(new Uint8Array(await buildCrl({ keyId: 'worker', key }, alg, contents)));
  assert.ok(await inWorker.verify({ publicKey: cert.publicKey }));
  const tbs = (crl: x509.X509Crl) => Buffer.from(AsnConvert.serialize(AsnConvert.parse(crl.rawData, CertificateList).tbsCertList)).toString('hex');
  assert.equal(tbs(inWorker), tbs(inline), 'the signed part is byte for byte the same');
  assert.deepEqual(inWorker.entries.map((e) => e.serialNumber), inline.entries.map((e) => e.serialNumber));
  assert.deepEqual(inWorker.extensions.map((e) => Buffer.from(e.rawData).toString('hex')), inline.extensions.map((e) => Buffer.from(e.rawData).toString('hex')));
});
