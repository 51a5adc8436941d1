import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequest } from '../../src/util/errors.js';
import { openMemoryStorage } from '../../src/storage/memory.js';
import { scopedView } from '../../src/storage/view.js';
import { storageContract } from './contract.js';

storageContract('view over memory', async () => {
  const inner = openMemoryStorage();
  // A neighbour's data must never show through the view.
  await inner.put('logical/other/secret', Buffer.from('s'));
  await inner.put('logical/abc', Buffer.from('sibling-leaf'));
  await inner.put('top', Buffer.from('t'));
  return { storage: scopedView(inner, 'logical/abc/'), close: () => inner.close() };
});

test('view: writes land under the prefix', async () => {
  const inner = openMemoryStorage();
  const view = scopedView(inner, 'logical/abc/');
  await view.put('role/r1', Buffer.from('1'));
  await view.transaction(async (tx) => { await tx.put('role/r2', Buffer.from('2')); });
  assert.deepEqual(await inner.list('logical/abc/role/'), ['r1', 'r2']);
});

test('view: cannot read or list outside its prefix', async () => {
  const inner = openMemoryStorage();
  await inner.put('logical/other/secret', Buffer.from('s'));
  await inner.put('core/keyring', Buffer.from('k'));
  const view = scopedView(inner, 'logical/abc/');
  assert.deepEqual(await view.list(''), []);
  for (const key of ['../other/secret', '../../core/keyring', 'x/../../other/secret', '/core/keyring']) {
    await assert.rejects(view.get(key), { message: 'relative paths not supported' });
    await assert.rejects(view.list(`${key}/`), BadRequest);
    await assert.rejects(view.put(key, Buffer.from('x')), BadRequest);
  }
  // Vault's barrier view refuses ".." anywhere, even inside a name.
  await assert.rejects(view.get('a..b'), BadRequest);
  await assert.rejects(view.transaction((tx) => tx.get('../other/secret')), BadRequest);
});

test('view: a prefix that does not end in "/" is a programming error', () => {
  assert.throws(() => scopedView(openMemoryStorage(), 'logical/abc'), TypeError);
});
