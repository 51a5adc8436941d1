import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Keyring } from '../../src/barrier/keyring.js';
import { Internal } from '../../src/util/errors.js';

test('a new keyring starts at term 1 with a 32-byte key and the given install time', () => {
  const ring = Keyring.create(1000);
  assert.equal(ring.activeTerm, 1);
  assert.equal(ring.active.key.length, 32);
  assert.equal(ring.active.installTime, 1000);
});

test('rotate adds the next term with a different key and keeps the old ones', () => {
  const ring = Keyring.create(1000);
  const first = Buffer.from(ring.active.key);
  const t2 = ring.rotate(2000);
  assert.deepEqual([t2.term, t2.installTime, ring.activeTerm], [2, 2000, 2]);
  assert.notDeepEqual(t2.key, first);
  assert.deepEqual(ring.term(1)?.key, first);
  assert.equal(ring.term(3), undefined);
});

test('serialize and parse round-trip every term and the active one', () => {
  const ring = Keyring.create(1000);
  ring.rotate(2000);
  ring.rotate(3000);
  const back = Keyring.parse(ring.serialize());
  assert.equal(back.activeTerm, 3);
  for (const t of [1, 2, 3]) assert.deepEqual(back.term(t), ring.term(t));
});

test('clone is independent of the original', () => {
  const ring = Keyring.create(1);
  const copy = ring.clone();
  copy.rotate(2);
  assert.deepEqual([ring.activeTerm, copy.activeTerm], [1, 2]);
  copy.wipe();
  assert.notDeepEqual(ring.active.key, Buffer.alloc(32));
});

test('parse refuses malformed keyrings', () => {
  const bad = [
    'not json',
    '{}',
    JSON.stringify({ version: 1, active_term: 2, keys: [{ term: 1, key: Buffer.alloc(32).toString('base64'), install_time: 1 }] }),
    JSON.stringify({ version: 1, active_term: 1, keys: [{ term: 1, key: Buffer.alloc(16).toString('base64'), install_time: 1 }] }),
    JSON.stringify({ version: 1, active_term: 0, keys: [] }),
  ];
  for (const text of bad) assert.throws(() => Keyring.parse(Buffer.from(text)), Internal, text);
});
