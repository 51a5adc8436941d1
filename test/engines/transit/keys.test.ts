// Key management over HTTP: create, read, list, config, rotate, trim, delete, export.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { closeTransitServer, ok, refused, startTransitServer } from './helpers.js';

let srv: TestServer;
before(async () => { srv = await startTransitServer(); });
after(async () => { await closeTransitServer(srv); });

const ALL_TYPES = ['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305', 'ed25519', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'hmac'];

test('every key type can be created and reads back with Vault\'s capability flags', async () => {
  for (const type of ALL_TYPES) {
    const created = await ok(srv, `transit/keys/k-${type}`, { type });
    assert.equal(created.data.type, type);
    const { data } = (await srv.api('GET', `transit/keys/k-${type}`)).body;
    assert.equal(data.latest_version, 1);
    assert.equal(data.min_decryption_version, 1);
    assert.equal(data.min_encryption_version, 0);
    assert.equal(data.deletion_allowed, false);
    const symmetric = ['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305'].includes(type);
    assert.equal(data.supports_encryption, symmetric || type.startsWith('rsa'), type);
    assert.equal(data.supports_signing, !symmetric && type !== 'hmac', type);
    if (symmetric) assert.equal(typeof data.keys['1'], 'number');
    if (type.startsWith('ecdsa') || type.startsWith('rsa')) assert.match(data.keys['1'].public_key, /BEGIN PUBLIC KEY/);
    if (type === 'ed25519') assert.equal(Buffer.from(data.keys['1'].public_key, 'base64').length, 32);
  }
  const list = await srv.api('LIST', 'transit/keys');
  for (const type of ALL_TYPES) assert.ok(list.body.data.keys.includes(`k-${type}`));
});

test('creation refuses what Vault refuses', async () => {
  assert.equal(await refused(srv, 'transit/keys/bad', { type: 'des' }), 'unknown key type des');
  assert.equal(await refused(srv, 'transit/keys/bad', { convergent_encryption: true }), 'convergent encryption requires derivation to be enabled');
  assert.equal(await refused(srv, 'transit/keys/bad', { auto_rotate_period: '10m' }), 'auto rotate period must be 0 to disable or at least an hour');
  assert.equal(await refused(srv, 'transit/keys/bad', { key_size: 64 }), 'key_size is not valid for algorithm aes256-gcm96');
  assert.equal(await refused(srv, 'transit/keys/bad', { type: 'hmac', key_size: 8 }), 'invalid key_size 8');
  assert.equal((await srv.api('GET', 'transit/keys/bad')).status, 404);
});

test('delete needs deletion_allowed; a deleted key is gone', async () => {
  await ok(srv, 'transit/keys/doomed');
  const denied = await srv.api('DELETE', 'transit/keys/doomed');
  assert.equal(denied.status, 400);
  assert.match(denied.body.errors[0], /deletion is not allowed for this policy/);
  await ok(srv, 'transit/keys/doomed/config', { deletion_allowed: true });
  assert.equal((await srv.api('DELETE', 'transit/keys/doomed')).status, 204);
  assert.equal((await srv.api('GET', 'transit/keys/doomed')).status, 404);
});

test('rotate adds versions; config enforces Vault\'s version rules; trim drops old versions', async () => {
  await ok(srv, 'transit/keys/rot');
  await ok(srv, 'transit/keys/rot/rotate');
  const r = await ok(srv, 'transit/keys/rot/rotate');
  assert.equal(r.data.latest_version, 3);
  assert.deepEqual(Object.keys(r.data.keys).sort(), ['1', '2', '3']);
  assert.equal(await refused(srv, 'transit/keys/rot/config', { min_decryption_version: 9 }), 'cannot set min decryption version of 9, latest key version is 3');
  assert.match(await refused(srv, 'transit/keys/rot/config', { min_decryption_version: 3, min_encryption_version: 2 }), /min encryption version of 2 must be greater than or equal to min decryption version of 3/);
  assert.equal(await refused(srv, 'transit/keys/rot/trim', { min_available_version: 2 }), 'minimum available version cannot be set when minimum encryption version is not set');
  await ok(srv, 'transit/keys/rot/config', { min_decryption_version: 2, min_encryption_version: 3 });
  assert.equal(await refused(srv, 'transit/keys/rot/trim', { min_available_version: 3 }), 'minimum available version cannot be greater than minimum decryption version');
  const trimmed = await ok(srv, 'transit/keys/rot/trim', { min_available_version: 2 });
  assert.deepEqual(Object.keys(trimmed.data.keys).sort(), ['2', '3']);
  assert.equal(trimmed.data.min_available_version, 2);
  assert.equal(await refused(srv, 'transit/keys/rot/trim', { min_available_version: 1 }), 'minimum available version cannot be decremented');
  assert.equal(await refused(srv, 'transit/keys/rot/config', { min_decryption_version: 1 }), 'min decryption version should not be less then min available version');
  // 0 means 1 (with a warning), which is below the trimmed versions here.
  assert.equal(await refused(srv, 'transit/keys/rot/config', { min_decryption_version: 0 }), 'min decryption version should not be less then min available version');
  await ok(srv, 'transit/keys/fresh');
  const warned = await ok(srv, 'transit/keys/fresh/config', { min_decryption_version: 0 });
  assert.deepEqual(warned.warnings, ['since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1']);
});

test('exportable and allow_plaintext_backup cannot be unset; export follows them', async () => {
  await ok(srv, 'transit/keys/exp');
  assert.equal((await srv.api('GET', 'transit/export/encryption-key/exp')).body.errors[0], 'private key material is not exportable');
  await ok(srv, 'transit/keys/exp/config', { exportable: true });
  await ok(srv, 'transit/keys/exp/config', { exportable: false });
  assert.equal((await srv.api('GET', 'transit/keys/exp')).body.data.exportable, true);
  const all = (await srv.api('GET', 'transit/export/encryption-key/exp')).body.data;
  assert.equal(Buffer.from(all.keys['1'], 'base64').length, 32);
  const latest = (await srv.api('GET', 'transit/export/hmac-key/exp/latest')).body.data;
  assert.equal(Buffer.from(latest.keys['1'], 'base64').length, 32);
  const wrong = await srv.api('GET', 'transit/export/signing-key/exp');
  assert.deepEqual([wrong.status, wrong.body.errors[0]], [400, 'signing not supported for the key']);
  await ok(srv, 'transit/keys/exp-ec', { type: 'ecdsa-p256', exportable: true });
  const ec = (await srv.api('GET', 'transit/export/signing-key/exp-ec/1')).body.data;
  assert.match(ec.keys['1'], /BEGIN EC PRIVATE KEY/);
  const pub = (await srv.api('GET', 'transit/export/public-key/exp-ec')).body.data;
  assert.match(pub.keys['1'], /BEGIN PUBLIC KEY/);
});

test('backup and restore round-trip a key with its versions; restore refuses to overwrite', async () => {
  await ok(srv, 'transit/keys/bk', { exportable: true, allow_plaintext_backup: true });
  await ok(srv, 'transit/keys/bk/rotate');
  const ct = (await ok(srv, 'transit/encrypt/bk', { plaintext: 'aGVsbG8=', key_version: 1 })).data.ciphertext;
  const blob = (await srv.api('GET', 'transit/backup/bk')).body.data.backup;
  assert.equal(await refused(srv, 'transit/restore', { backup: blob }), 'key "bk" already exists');
  assert.equal((await srv.api('POST', 'transit/restore/bk-copy', { backup: blob })).status, 204);
  const copy = (await srv.api('GET', 'transit/keys/bk-copy')).body.data;
  assert.equal(copy.latest_version, 2);
  assert.ok(copy.restore_info);
  assert.equal((await ok(srv, 'transit/decrypt/bk-copy', { ciphertext: ct })).data.plaintext, 'aGVsbG8=');
  await ok(srv, 'transit/keys/nobk');
  assert.match(await refused(srv, 'transit/restore', { backup: 'bm90IGpzb24=' }), /failed to decode/);
  const res = await srv.api('GET', 'transit/backup/nobk');
  assert.deepEqual([res.status, res.body.errors[0]], [400, 'error backing up policy: exporting is disallowed on the policy']);
});

test('cache-config reads and writes the size; too small is refused', async () => {
  assert.equal((await srv.api('GET', 'transit/cache-config')).body.data.size, 0);
  assert.equal(await refused(srv, 'transit/cache-config', { size: 5 }), 'size must be 0 or a value greater or equal to 10');
  await ok(srv, 'transit/cache-config', { size: 20 });
  assert.equal((await srv.api('GET', 'transit/cache-config')).body.data.size, 20);
  await ok(srv, 'transit/cache-config', { size: 0 });
});
