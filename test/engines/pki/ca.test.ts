// Root and intermediate CAs: generation, signing, set-signed, issuers and keys.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { makeIntermediate, mountPki, openssl, startPkiServer, tempFiles } from './helpers.js';

let srv: TestServer;
let rootPem: string;
let intPem: string;
const files = tempFiles();

before(async () => {
  ({ srv, rootPem } = await startPkiServer());
  intPem = await makeIntermediate(srv);
});
after(async () => { files.cleanup(); await srv.close(); });

test('the root is a self-signed CA openssl accepts, with Vault response fields', async () => {
  const r = await srv.api('GET', 'pki/issuer/root');
  assert.equal(r.status, 200);
  // Vault stores an issuer's PEM with one trailing newline and reads it back so.
  assert.equal(r.body.data.certificate, `${rootPem}\n`);
  assert.deepEqual(r.body.data.ca_chain, [`${rootPem}\n`]);
  assert.equal(r.body.data.leaf_not_after_behavior, 'err');
  assert.equal(r.body.data.usage, 'read-only,issuing-certificates,crl-signing,ocsp-signing');
  const root = files.write('root.pem', rootPem);
  const text = await openssl('x509', '-in', root, '-noout', '-text');
  assert.match(text.out, /CA:TRUE/);
  assert.match(text.out, /Public-Key: \(2048 bit\)/);
  assert.equal((await openssl('verify', '-CAfile', root, root)).code, 0);
});

test('root/generate answers certificate, issuing_ca, serial, expiration, issuer and key ids, with the AIA warning', async () => {
  await mountPki(srv, 'pki_fresh');
  const r = await srv.api('POST', 'pki_fresh/root/generate/exported', { common_name: 'fresh', key_type: 'ec', ttl: '1h' });
  assert.equal(r.status, 200);
  const d = r.body.data;
  assert.equal(d.certificate, d.issuing_ca);
  assert.match(d.serial_number, /^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/);
  assert.equal(typeof d.expiration, 'number');
  assert.equal(d.private_key_type, 'ec');
  assert.match(d.private_key, /^-----BEGIN EC PRIVATE KEY-----[\s\S]+-----END EC PRIVATE KEY-----$/);
  assert.ok(r.body.warnings.some((w: string) => w.includes("hasn't configured any authority information access")));
  const key = await srv.api('GET', `pki_fresh/key/${d.key_id}`);
  assert.deepEqual([key.body.data.key_id, key.body.data.key_type], [d.key_id, 'ec']);
  const cfg = await srv.api('GET', 'pki_fresh/config/issuers');
  assert.equal(cfg.body.data.default, d.issuer_id);
  assert.equal(cfg.body.data.default_follows_latest_issuer, false);
});

test('the intermediate chain is [intermediate, root] and openssl verifies it', async () => {
  const r = await srv.api('GET', 'pki_int/issuer/default');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data.ca_chain, [`${intPem}\n`, `${rootPem}\n`]);
  assert.notEqual(r.body.data.key_id, '');
  const out = await openssl('verify', '-CAfile', files.write('r.pem', rootPem), files.write('i.pem', intPem));
  assert.equal(out.code, 0, out.out);
  const text = await openssl('x509', '-in', files.write('i2.pem', intPem), '-noout', '-text');
  assert.match(text.out, /ASN1 OID: secp384r1/);
  assert.match(text.out, /CA:TRUE/);
});

test('set-signed answers Vault mapping fields; importing again reports existing issuers', async () => {
  const r = await srv.api('POST', 'pki_int/intermediate/set-signed', { certificate: `${intPem}\n${rootPem}` });
  assert.equal(r.status, 200);
  assert.equal(r.body.data.imported_issuers, null); // both came in with the first pem_bundle
  assert.equal(r.body.data.existing_issuers.length, 2);
  assert.equal(r.body.data.imported_keys, null);
  assert.equal(typeof r.body.data.mapping, 'object');
});

test('issuers LIST is unauthenticated and carries key_info', async () => {
  srv.useToken('');
  try {
    const r = await srv.api('LIST', 'pki/issuers');
    assert.equal(r.status, 200);
    const [id] = r.body.data.keys;
    assert.deepEqual(Object.keys(r.body.data.key_info[id]).sort(), ['is_default', 'issuer_name', 'key_id', 'serial_number']);
    assert.equal(r.body.data.key_info[id].is_default, true);
  } finally {
    srv.useToken(srv.rootToken);
  }
});

test('issuer names: reserved and duplicate names are refused with Vault texts', async () => {
  const dup = await srv.api('POST', 'pki/root/generate/internal', { common_name: 'x', issuer_name: 'root' });
  assert.deepEqual([dup.status, dup.body.errors], [400, ['issuer name already in use']]);
  const reserved = await srv.api('PATCH', 'pki/issuer/root', { issuer_name: 'default' }, { 'Content-Type': 'application/merge-patch+json' });
  assert.deepEqual([reserved.status, reserved.body.errors], [400, ["reserved keyword 'default' can not be used as issuer name"]]);
});

test('root types: kms and unknown types are refused with Vault texts; existing refuses key_type', async () => {
  const kms = await srv.api('POST', 'pki/root/generate/kms', { common_name: 'x' });
  assert.equal(kms.status, 400);
  assert.match(kms.body.errors[0], /managed keys are supported within enterprise edition only$/);
  const other = await srv.api('POST', 'pki/root/generate/bogus', { common_name: 'x' });
  assert.deepEqual(other.body.errors, ['the "exported" path parameter must be "internal", "existing", exported" or "kms"']);
  const existing = await srv.api('POST', 'pki/root/generate/existing', { common_name: 'x', key_type: 'ec' });
  assert.equal(existing.status, 400);
  assert.match(existing.body.errors[0], /^invalid parameter for the kms\/existing path parameter/);
  const p224 = await srv.api('POST', 'pki/root/generate/internal', { common_name: 'x', key_type: 'ec', key_bits: 224 });
  assert.deepEqual([p224.status, p224.body.errors], [400, ['unsupported bit length for EC key: 224']]);
});

test('a key used by an issuer cannot be deleted; default issuer can be changed', async () => {
  const issuer = (await srv.api('GET', 'pki/issuer/default')).body.data;
  const del = await srv.api('DELETE', `pki/key/${issuer.key_id}`);
  assert.equal(del.status, 400);
  assert.equal(del.body.errors[0], `Failed to Delete Key.  Key in Use by Issuer: ${issuer.issuer_id}`);
  const rotated = await srv.api('POST', 'pki/root/rotate/internal', { common_name: 'Next Root', ttl: '1h' });
  assert.equal(rotated.body.data.issuer_name, 'next');
  assert.equal((await srv.api('GET', 'pki/config/issuers')).body.data.default, issuer.issuer_id);
  const replaced = await srv.api('POST', 'pki/root/replace', {});
  assert.equal(replaced.body.data.default, rotated.body.data.issuer_id);
  await srv.api('POST', 'pki/config/issuers', { default: 'root' });
});
