// SOPS documents encrypted through a real Lockbox transit key and to an age recipient, then
// opened with either; checked against SOPS's documented on-disk format.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { decryptDocument, encryptDocument, type VaultKey } from '../../../src/cli/sops/document.js';
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
  const enc = await encryptDocument(DOC, { vault: [key], age: [await identityToRecipient(identity)], token: srv.rootToken });
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
  const enc = await encryptDocument(DOC, { vault: [key], age: [], token: srv.rootToken });
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
  const enc = await encryptDocument(DOC, { vault: [key], age: [], token: srv.rootToken });
  const swapped = structuredClone(enc) as any;
  swapped.db.user = swapped.db.password; // valid ciphertext, wrong path: AAD makes it fail
  await assert.rejects(decryptDocument(swapped, { token: srv.rootToken }), /Could not decrypt with AES_GCM/);
  const clearEdit = structuredClone(enc) as any;
  clearEdit.note_unencrypted = 'changed';
  await assert.rejects(decryptDocument(clearEdit, { token: srv.rootToken }), /^Error: MAC mismatch/);
  await assert.rejects(decryptDocument(enc, {}), /Error getting data key/);
});
