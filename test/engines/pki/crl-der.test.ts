// The hand-written DER of a CRL's revoked list matches what @peculiar/asn1-x509's schema
// classes serialize for the same entries: UTCTime through 2049, GeneralizedTime from 2050,
// minimal serials with a zero byte before a set top bit, long-form lengths past 127 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';
import { RevokedCertificate, Time } from '@peculiar/asn1-x509';
import { revokedListDer, serialBytes, timeDer } from '../../../src/engines/pki/crl-der.js';

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
