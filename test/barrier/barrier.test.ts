import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ciphertextTerm } from '../../src/barrier/aead.js';
import { Barrier, encryptKeyring, KEYRING_PATH } from '../../src/barrier/barrier.js';
import { Keyring } from '../../src/barrier/keyring.js';
import { ManualClock } from '../../src/util/clock.js';
import { BadRequest, DecryptFailed, Sealed } from '../../src/util/errors.js';
import { FakeStorage } from './fake-storage.js';

async function setup() {
  const physical = new FakeStorage();
  const clock = new ManualClock();
  const rootKey = randomBytes(32);
  await physical.put(KEYRING_PATH, encryptKeyring(rootKey, Keyring.create(clock.now())));
  const barrier = new Barrier(physical, clock);
  await barrier.unseal(rootKey);
  return { physical, clock, rootKey, barrier };
}

const rawTerm = (physical: FakeStorage, key: string): number => ciphertextTerm(physical.raw(key) as Buffer);

test('a value round-trips and only ciphertext reaches the physical store', async () => {
  const { physical, barrier } = await setup();
  const canary = Buffer.from('canary-5f3a91-plaintext');
  await barrier.put('secret/a', canary);
  assert.deepEqual(await barrier.get('secret/a'), canary);
  assert.equal(await barrier.get('secret/missing'), undefined);
  assert.equal(physical.allBytes().indexOf(canary), -1);
  assert.equal(rawTerm(physical, 'secret/a'), 1);
});

test('list and delete pass through to the physical store', async () => {
  const { barrier } = await setup();
  await barrier.put('x/a', Buffer.from('1'));
  await barrier.put('x/sub/b', Buffer.from('2'));
  assert.deepEqual(await barrier.list('x/'), ['a', 'sub/']);
  await barrier.delete('x/a');
  assert.deepEqual(await barrier.list('x/'), ['sub/']);
  assert.equal(await barrier.get('x/a'), undefined);
});

test('a ciphertext moved to another path, tampered with, or naming an unknown term fails', async () => {
  const { physical, barrier } = await setup();
  await barrier.put('a', Buffer.from('value of a'));
  await barrier.put('b', Buffer.from('value of b'));
  const a = physical.raw('a') as Buffer;
  await physical.put('b', a); // swap attempt
  await assert.rejects(barrier.get('b'), DecryptFailed);
  const flipped = Buffer.from(a);
  flipped[flipped.length - 20] = (flipped[flipped.length - 20] as number) ^ 0x80;
  await physical.put('a', flipped);
  await assert.rejects(barrier.get('a'), DecryptFailed);
  const otherTerm = Buffer.from(a);
  otherTerm.writeUInt32BE(99, 1);
  await physical.put('a', otherTerm);
  await assert.rejects(barrier.get('a'), DecryptFailed);
  await physical.put('a', a.subarray(0, 10));
  await assert.rejects(barrier.get('a'), DecryptFailed);
});

test('rotate: old entries stay readable and new writes use the new term', async () => {
  const { physical, clock, barrier } = await setup();
  await barrier.put('old', Buffer.from('written under term 1'));
  clock.advance(60_000);
  const rotated = await barrier.rotate();
  assert.deepEqual(rotated, { term: 2, install_time: new Date(clock.now()).toISOString() });
  await barrier.put('new', Buffer.from('written under term 2'));
  assert.equal(rawTerm(physical, 'old'), 1);
  assert.equal(rawTerm(physical, 'new'), 2);
  assert.deepEqual(await barrier.get('old'), Buffer.from('written under term 1'));
  assert.deepEqual(await barrier.get('new'), Buffer.from('written under term 2'));
});

test('a rotation is persisted: a fresh barrier over the same store reads every term', async () => {
  const { physical, clock, rootKey, barrier } = await setup();
  await barrier.put('one', Buffer.from('1'));
  await barrier.rotate();
  await barrier.put('two', Buffer.from('2'));
  const again = new Barrier(physical, clock);
  await again.unseal(rootKey);
  assert.equal(again.keyStatus().term, 2);
  assert.deepEqual(await again.get('one'), Buffer.from('1'));
  assert.deepEqual(await again.get('two'), Buffer.from('2'));
});

test('overlapping rotations install consecutive terms, all of them persisted', async () => {
  const { physical, clock, rootKey, barrier } = await setup();
  const terms = await Promise.all([barrier.rotate(), barrier.rotate(), barrier.rotate()]);
  assert.deepEqual(terms.map((t) => t.term), [2, 3, 4]);
  await barrier.put('k', Buffer.from('v'));
  const again = new Barrier(physical, clock);
  await again.unseal(rootKey);
  assert.deepEqual(await again.get('k'), Buffer.from('v'));
});

test('keyStatus reports the term, its install time and the encryptions since unseal', async () => {
  const { clock, rootKey, barrier } = await setup();
  assert.deepEqual(barrier.keyStatus(), { term: 1, install_time: new Date(clock.now()).toISOString(), encryptions: 0 });
  await barrier.put('a', Buffer.from('1'));
  await barrier.put('b', Buffer.from('2'));
  await barrier.transaction(async (tx) => tx.put('c', Buffer.from('3')));
  assert.equal(barrier.keyStatus().encryptions, 3);
  barrier.seal();
  await barrier.unseal(rootKey);
  assert.equal(barrier.keyStatus().encryptions, 0);
});

test('transaction writes are encrypted, visible inside, and discarded on throw', async () => {
  const { physical, barrier } = await setup();
  const seen = await barrier.transaction(async (tx) => {
    await tx.put('t/a', Buffer.from('in tx'));
    return tx.get('t/a');
  });
  assert.deepEqual(seen, Buffer.from('in tx'));
  assert.equal(physical.allBytes().indexOf(Buffer.from('in tx')), -1);
  assert.deepEqual(await barrier.get('t/a'), Buffer.from('in tx'));
  await assert.rejects(barrier.transaction(async (tx) => {
    await tx.put('t/b', Buffer.from('doomed'));
    throw new Error('boom');
  }), /boom/);
  assert.equal(await barrier.get('t/b'), undefined);
});

test('when sealed, every method refuses with Sealed, including an open transaction', async () => {
  const { barrier } = await setup();
  await barrier.put('a', Buffer.from('1'));
  const tx = barrier.transaction(async (inner) => {
    await inner.put('b', Buffer.from('2'));
    barrier.seal();
    await inner.get('a');
  });
  await assert.rejects(tx, Sealed);
  assert.equal(barrier.sealed, true);
  await assert.rejects(barrier.get('a'), Sealed);
  await assert.rejects(barrier.put('a', Buffer.from('x')), Sealed);
  await assert.rejects(barrier.delete('a'), Sealed);
  await assert.rejects(barrier.list(''), Sealed);
  await assert.rejects(barrier.transaction(async () => 1), Sealed);
  await assert.rejects(barrier.rotate(), Sealed);
  assert.throws(() => barrier.keyStatus(), Sealed);
});

test('unseal with the wrong root key fails and stays sealed', async () => {
  const { physical, clock } = await setup();
  const barrier = new Barrier(physical, clock);
  await assert.rejects(barrier.unseal(randomBytes(32)), DecryptFailed);
  assert.equal(barrier.sealed, true);
});

test('the keyring and seal config cannot be read or written through the barrier', async () => {
  const { barrier } = await setup();
  await assert.rejects(barrier.put(KEYRING_PATH, Buffer.from('x')), BadRequest);
  await assert.rejects(barrier.get(KEYRING_PATH), BadRequest);
  await assert.rejects(barrier.delete('core/seal-config'), BadRequest);
  await assert.rejects(barrier.transaction((tx) => tx.put(KEYRING_PATH, Buffer.from('x'))), BadRequest);
});

// Barrier.getDecoded: a decoded value is reused only while the stored ciphertext is the one it
// came from; any change of the bytes (a write here, another node's, tampering) decrypts again.
function counting() {
  let decodes = 0;
  const decode = (raw: Buffer) => { decodes++; return JSON.parse(raw.toString('utf8')) as { v: number } };
  return { decode, decodes: () => decodes };
}

test('the same ciphertext is decoded once; a new write, a delete or other bytes are seen at once', async () => {
  const { physical, barrier } = await setup();
  const { decode, decodes } = counting();
  assert.equal(await barrier.getDecoded('m/a', decode), undefined);
  await barrier.put('m/a', Buffer.from('{"v":1}'));
  const first = await barrier.getDecoded('m/a', decode);
  assert.deepEqual(first, { v: 1 });
  assert.equal(await barrier.getDecoded('m/a', decode), first, 'the remembered value');
  assert.equal(decodes(), 1);
  await barrier.put('m/a', Buffer.from('{"v":2}'));
  assert.deepEqual(await barrier.getDecoded('m/a', decode), { v: 2 });
  assert.equal(decodes(), 2);
  // Written underneath the barrier (as another node would): the bytes differ, so it is read anew.
  const other = await barrier.getDecoded('m/b', decode);
  assert.equal(other, undefined);
  await barrier.put('m/c', Buffer.from('{"v":3}'));
  await physical.put('m/a', physical.raw('m/c') as Buffer);
  await assert.rejects(barrier.getDecoded('m/a', decode), DecryptFailed, 'a ciphertext bound to another path does not open');
  await barrier.delete('m/c');
  assert.equal(await barrier.getDecoded('m/c', decode), undefined);
});

test('sealed, nothing is answered from memory; after unseal values are decoded afresh', async () => {
  const { barrier, rootKey } = await setup();
  const { decode, decodes } = counting();
  await barrier.put('m/a', Buffer.from('{"v":1}'));
  await barrier.getDecoded('m/a', decode);
  barrier.seal();
  await assert.rejects(barrier.getDecoded('m/a', decode), Sealed);
  await barrier.unseal(rootKey);
  assert.deepEqual(await barrier.getDecoded('m/a', decode), { v: 1 });
  assert.equal(decodes(), 2);
});
