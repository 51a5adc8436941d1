import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AEAD_VERSION, ciphertextTerm, decrypt, encrypt } from '../../src/barrier/aead.js';
import { DecryptFailed } from '../../src/util/errors.js';

const key = randomBytes(32);
const plaintext = Buffer.from('the quick brown fox');
const isDecryptFailed = (err: unknown): boolean =>
  err instanceof DecryptFailed && err.message === 'cipher: message authentication failed';

test('a ciphertext opens with the same key and path', () => {
  const ct = encrypt(key, 7, plaintext, 'a/b');
  assert.deepEqual(decrypt(key, ct, 'a/b'), plaintext);
});

test('the header holds the version, the big-endian term and a 12-byte nonce; the tag is 16 bytes', () => {
  const ct = encrypt(key, 0x01020304, plaintext, 'p');
  assert.equal(ct[0], AEAD_VERSION);
  assert.deepEqual([...ct.subarray(1, 5)], [1, 2, 3, 4]);
  assert.equal(ciphertextTerm(ct), 0x01020304);
  assert.equal(ct.length, 1 + 4 + 12 + plaintext.length + 16);
});

test('two encryptions of one value differ (random nonce)', () => {
  assert.notDeepEqual(encrypt(key, 1, plaintext, 'p'), encrypt(key, 1, plaintext, 'p'));
});

test('an empty value round-trips', () => {
  assert.deepEqual(decrypt(key, encrypt(key, 1, Buffer.alloc(0), 'p'), 'p'), Buffer.alloc(0));
});

test('flipping any single byte makes decryption fail with DecryptFailed', () => {
  const ct = encrypt(key, 3, plaintext, 'p');
  for (let i = 0; i < ct.length; i++) {
    const bad = Buffer.from(ct);
    bad[i] = (bad[i] as number) ^ 0x01;
    assert.throws(() => decrypt(key, bad, 'p'), isDecryptFailed, `byte ${i}`);
  }
});

test('every truncation and an appended byte fail with DecryptFailed', () => {
  const ct = encrypt(key, 3, plaintext, 'p');
  for (let len = 0; len < ct.length; len++) {
    assert.throws(() => decrypt(key, ct.subarray(0, len), 'p'), isDecryptFailed, `length ${len}`);
  }
  assert.throws(() => decrypt(key, Buffer.concat([ct, Buffer.from([0])]), 'p'), isDecryptFailed);
});

test('a ciphertext does not open under another path or another key', () => {
  const ct = encrypt(key, 1, plaintext, 'secret/a');
  assert.throws(() => decrypt(key, ct, 'secret/b'), isDecryptFailed);
  assert.throws(() => decrypt(randomBytes(32), ct, 'secret/a'), isDecryptFailed);
});

test('an unknown version byte is refused', () => {
  const ct = encrypt(key, 1, plaintext, 'p');
  ct[0] = 2;
  assert.throws(() => ciphertextTerm(ct), isDecryptFailed);
});

test('encrypting with a wrong-sized key is a programming error, not a silent success', () => {
  assert.throws(() => encrypt(randomBytes(16), 1, plaintext, 'p'), TypeError);
});
