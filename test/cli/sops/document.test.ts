// SOPS documents encrypted through a real Lockbox transit key and to an age recipient, then
// opened with either; checked against SOPS's documented on-disk format.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { decryptDocument, decryptYaml, encryptDocument, encryptYaml, type VaultKey } from '../../../src/cli/sops/document.js';
import { decryptFile, encryptFile } from '../../../src/cli/sops/formats.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let srv: TestServer;
let key: VaultKey;
before(async () => {
  srv = await startTestServer();
  await srv.api('POST', 'sys/mounts/sops', { type: 'transit' });
  await srv.api('POST', 'sops/keys/firstkey', {});
  key = { vault_address: srv.url, engine_path: 'sops', key_name: 'firstkey' };
});
after(() => srv.close());

const DOC = { db: { user: 'app', password: 'hunter2', port: 5432, ratio: 0.5, tls: true }, list: ['a', 'b'], note_unencrypted: 'visible' };

test('a document encrypted to transit and age opens with either, and keeps clear what the suffix says', async () => {
  const identity = await generateIdentity();
  const enc = await encryptDocument(DOC, { groups: [{ vault: [key], age: [await identityToRecipient(identity)] }], token: srv.rootToken });
  const sops = enc.sops as any;
  assert.match(sops.hc_vault[0].enc, /^vault:v1:/);
  assert.deepEqual([sops.hc_vault[0].vault_address, sops.hc_vault[0].engine_path, sops.hc_vault[0].key_name], [srv.url, 'sops', 'firstkey']);
  assert.match(sops.age[0].enc, /^-----BEGIN AGE ENCRYPTED FILE-----/);
  assert.match(sops.lastmodified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(sops.mac, /^ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:str\]$/);
  assert.equal(sops.unencrypted_suffix, '_unencrypted');
  const db = (enc as any).db;
  assert.match(db.password, /^ENC\[AES256_GCM,data:.*,type:str\]$/);
  assert.match(db.port, /,type:int\]$/);
  assert.match(db.ratio, /,type:float\]$/);
  assert.match(db.tls, /,type:bool\]$/);
  assert.equal((enc as any).note_unencrypted, 'visible');
  assert.deepEqual(await decryptDocument(enc, { token: srv.rootToken }), DOC);
  assert.deepEqual(await decryptDocument(enc, { ageIdentities: [identity] }), DOC);
});

test('values follow the documented layout: 32-byte IV, tag, AAD = path keys joined with ":"', async () => {
  const enc = await encryptDocument(DOC, { groups: [{ vault: [key], age: [] }], token: srv.rootToken });
  const dataKey = Buffer.from((await srv.api('POST', 'sops/decrypt/firstkey', { ciphertext: (enc.sops as any).hc_vault[0].enc })).body.data.plaintext, 'base64');
  const m = /^ENC\[AES256_GCM,data:(.*),iv:(.*),tag:(.*),type:str\]$/.exec((enc as any).db.password) as RegExpExecArray;
  const iv = Buffer.from(m[2] as string, 'base64');
  assert.equal(iv.length, 32);
  const d = createDecipheriv('aes-256-gcm', dataKey, iv);
  d.setAAD(Buffer.from('db:password:'));
  d.setAuthTag(Buffer.from(m[3] as string, 'base64'));
  assert.equal(Buffer.concat([d.update(Buffer.from(m[1] as string, 'base64')), d.final()]).toString(), 'hunter2');
});

test('a tampered value or MAC fails as sops fails', async () => {
  const enc = await encryptDocument(DOC, { groups: [{ vault: [key], age: [] }], token: srv.rootToken });
  const swapped = structuredClone(enc) as any;
  swapped.db.user = swapped.db.password; // valid ciphertext, wrong path: AAD makes it fail
  await assert.rejects(decryptDocument(swapped, { token: srv.rootToken }), /Could not decrypt with AES_GCM/);
  const clearEdit = structuredClone(enc) as any;
  clearEdit.note_unencrypted = 'changed';
  await assert.rejects(decryptDocument(clearEdit, { token: srv.rootToken }), /^Error: MAC mismatch/);
  await assert.rejects(decryptDocument(enc, {}), /Error getting data key/);
});

test('YAML round trip keeps comments and key order; comments are stored encrypted', async () => {
  const text = '# service settings\nzeta: 1\nalpha:\n  # the database\n  password: hunter2 # rotate monthly\n  user: app\nlist:\n  - b\n  - a\n';
  const enc = await encryptYaml(text, { groups: [{ vault: [key], age: [] }], token: srv.rootToken });
  assert.ok(!enc.includes('hunter2') && !enc.includes('the database') && !enc.includes('rotate monthly'));
  assert.match(enc, /#ENC\[AES256_GCM,.*type:comment\]/);
  assert.ok(enc.indexOf('zeta:') < enc.indexOf('alpha:') && enc.indexOf('alpha:') < enc.indexOf('sops:'));
  assert.equal(await decryptYaml(enc, { token: srv.rootToken }), text);
});

test('key groups with shamir_threshold: any two of three groups open the file, one does not', async () => {
  const ids = await Promise.all([generateIdentity(), generateIdentity()]);
  const groups = [{ vault: [key], age: [] }, { vault: [], age: [await identityToRecipient(ids[0] as string)] }, { vault: [], age: [await identityToRecipient(ids[1] as string)] }];
  const enc = await encryptDocument(DOC, { groups, token: srv.rootToken, shamirThreshold: 2 });
  const sops = enc.sops as any;
  assert.equal(sops.shamir_threshold, 2);
  assert.equal(sops.key_groups.length, 3);
  assert.deepEqual(await decryptDocument(enc, { token: srv.rootToken, ageIdentities: [ids[1] as string] }), DOC);
  assert.deepEqual(await decryptDocument(enc, { ageIdentities: ids as string[] }), DOC);
  await assert.rejects(decryptDocument(enc, { ageIdentities: [ids[0] as string] }), /2 successful groups required, got 1/);
});

test('dotenv and binary files round-trip; dotenv metadata is flattened into sops_ keys', async () => {
  const opts = { groups: [{ vault: [key], age: [] }], token: srv.rootToken };
  const env = await encryptFile(Buffer.from('DB_PASSWORD=hunter2\nPORT=5432\n'), 'dotenv', opts);
  assert.match(env.toString(), /^DB_PASSWORD=ENC\[AES256_GCM,/m);
  assert.match(env.toString(), /^sops_hc_vault__list_0__map_enc=vault:v1:/m);
  assert.match(env.toString(), /^sops_mac=ENC\[/m);
  assert.equal((await decryptFile(env, 'dotenv', { token: srv.rootToken })).toString(), 'DB_PASSWORD=hunter2\nPORT=5432\n');
  const bytes = randomBytes(300);
  const bin = await encryptFile(bytes, 'binary', opts);
  assert.match(JSON.parse(bin.toString()).data, /^ENC\[AES256_GCM,/);
  assert.ok((await decryptFile(bin, 'binary', { token: srv.rootToken })).equals(bytes));
});

test('a file laid out as sops writes it (built here from its documented format) decrypts', async () => {
  // What sops does: a data key, each value AES-256-GCM with a 32-byte IV and "path:" as AAD,
  // the MAC = upper-case hex SHA-512 of the cleartext values, encrypted with lastmodified as AAD.
  const dataKey = randomBytes(32);
  const enc = (plain: string, aad: string, type: string) => {
    const iv = randomBytes(32);
    const c = createCipheriv('aes-256-gcm', dataKey, iv);
    c.setAAD(Buffer.from(aad));
    const data = Buffer.concat([c.update(plain), c.final()]);
    return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${c.getAuthTag().toString('base64')},type:${type}]`;
  };
  const lastmodified = '2024-05-01T10:00:00Z';
  const mac = createHash('sha512').update('s3cr3t').update('8080').update('True').digest('hex').toUpperCase();
  const wrapped = (await srv.api('POST', 'sops/encrypt/firstkey', { plaintext: dataKey.toString('base64') })).body.data.ciphertext;
  const file = {
    app: { token: enc('s3cr3t', 'app:token:', 'str'), port: enc('8080', 'app:port:', 'int'), debug: enc('True', 'app:debug:', 'bool') },
    sops: {
      kms: null, gcp_kms: null, azure_kv: null,
      hc_vault: [{ vault_address: srv.url, engine_path: 'sops', key_name: 'firstkey', created_at: lastmodified, enc: wrapped }],
      age: null, lastmodified, mac: enc(mac, lastmodified, 'str'), pgp: null, unencrypted_suffix: '_unencrypted', version: '3.8.1',
    },
  };
  assert.deepEqual(await decryptDocument(file, { token: srv.rootToken }), { app: { token: 's3cr3t', port: 8080, debug: true } });
});
