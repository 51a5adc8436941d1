// The hand-written DER of a CRL's revoked list matches what @peculiar/asn1-x509's schema
// classes serialize for the same entries: UTCTime through 2049, GeneralizedTime from 2050,
// minimal serials with a zero byte before a set top bit, long-form lengths past 127 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { RevokedCertificate, Time } from '@peculiar/asn1-x509';
import { revokedListDer, serialBytes, timeDer } from '../../../src/engines/pki/crl-der.js';
import { buildCrl } from '../../../src/engines/pki/crl-build.js';
import { buildCrlHandWritten } from '../../../src/engines/pki/crl-build-old.js';
import { storedCrlEntry } from '../../../src/engines/pki/crl-entry.js';
import { buildCertificate, newSerialHex, subjectName } from '../../../src/engines/pki/certs.js';
import { generateKey, signingAlgorithm } from '../../../src/engines/pki/keys.js';

@AsnType({ type: AsnTypeTypes.Sequence, itemType: RevokedCertificate })
class RevokedList extends AsnArray<RevokedCertificate> {}

const oracle = (entries: Array<{ serialHex: string; revokedAt: number }>) => Buffer.from(AsnConvert.serialize(new RevokedList(entries.map((e) => new RevokedCertificate({
  userCertificate: new Uint8Array(serialBytes(e.serialHex)).buffer, revocationDate: new Time(new Date(e.revokedAt * 1000)),
})))));

test('times on both sides of 2050 encode as the schema classes do', () => {
  for (const at of [0, 1_700_000_000, Date.UTC(2049, 11, 31, 23, 59, 59) / 1000, Date.UTC(2050, 0, 1) / 1000, 4_102_444_800]) {
    const date = new Date(at * 1000);
    assert.deepEqual(timeDer(date), Buffer.from(AsnConvert.serialize(new Time(date))), date.toISOString());
  }
  assert.equal(timeDer(new Date(Date.UTC(2049, 0, 1)))[0], 0x17);
  assert.equal(timeDer(new Date(Date.UTC(2050, 0, 1)))[0], 0x18);
});

test('serials are minimal INTEGER contents', () => {
  assert.deepEqual(serialBytes('00ff'), Buffer.from([0x00, 0xff]));
  assert.deepEqual(serialBytes('0001'), Buffer.from([0x01]));
  assert.deepEqual(serialBytes('80'), Buffer.from([0x00, 0x80]));
  assert.deepEqual(serialBytes('abc'), Buffer.from([0x0a, 0xbc]));
  assert.deepEqual(serialBytes('00'), Buffer.from([0x00]));
});

test('lists of 1, 5 and 2,000 entries match the schema serialization byte for byte', () => {
  for (const n of [1, 5, 2000]) {
    const entries = Array.from({ length: n }, (_, i) => ({ serialHex: (i * 7919 + 1).toString(16).padStart(40, i % 2 ? '8' : '1'), revokedAt: 1_700_000_000 + i * 86_400 * 19 }));
    assert.deepEqual(revokedListDer(entries), oracle(entries), `${n} entries`);
  }
});

test('the library builder writes the hand-written builder\'s bytes (ed25519, 300 entries, stored and unstored)', async () => {
  const key = await generateKey('ed25519', 0);
  const alg = signingAlgorithm(key, 0, false);
  const cert = await buildCertificate({
    subject: subjectName({ common_name: 'compare', organization: ['Lockbox'] }), publicKey: key, notBefore: new Date(), notAfter: new Date(Date.now() + 3600e3),
    serialHex: newSerialHex(), sans: { dns: [], ip: [], uri: [], email: [] }, isCa: true, keyUsage: 0, extKeyUsage: [], signatureBits: 0, usePss: false,
  }, { selfKey: key, keyId: 'compare' });
  const odd = ['00ff', '0001', '80', 'abc', '00', '7f01', '80ff', '0000000080'];
  const entries = Array.from({ length: 300 }, (_, i) => ({ serialHex: odd[i] ?? newSerialHex(), revokedAt: i % 7 === 0 ? 2_600_000_000 + i : 1_700_000_000 + i * 3_600 }));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (const list of [entries, entries.slice(0, 1), []]) {
    for (const deltaOf of [undefined, 3]) {
      const contents = { issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600e3), number: 4, deltaOf, entries: list };
      const old = await buildCrlHandWritten({ keyId: 'compare', key }, alg, contents);
      assert.deepEqual(await buildCrl({ keyId: 'compare', key }, alg, contents), old, `${list.length} entries, delta ${deltaOf}`);
      const stored = { ...contents, entries: list.map((e) => ({ ...e, der: storedCrlEntry(e.serialHex, e.revokedAt) })) };
      assert.deepEqual(await buildCrl({ keyId: 'compare', key }, alg, stored), old, `${list.length} stored entries, delta ${deltaOf}`);
    }
  }
});
