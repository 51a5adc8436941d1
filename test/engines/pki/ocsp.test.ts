// The OCSP responder, checked by openssl as a relying party would: good, then revoked after
// pki/revoke, unknown for a serial this mount never issued; GET and POST forms; no nonce (as
// Vault); EC and Ed25519 issuers; ocsp_disable answers "unauthorized".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestServer } from '../../helpers/server.js';
import { makeIntermediate, mountPki, openssl, startPkiServer, tempFiles } from './helpers.js';

let srv: TestServer;
let files: ReturnType<typeof tempFiles>;
let caPath = '';

before(async () => {
  const started = await startPkiServer();
  srv = started.srv;
  files = tempFiles();
  caPath = files.write('ca.pem', started.rootPem);
  await srv.api('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h' });
});

after(async () => {
  files.cleanup();
  await srv.close();
});

async function issue(name: string): Promise<{ path: string; serial: string }> {
  const r = await srv.api('POST', 'pki/issue/web', { common_name: `${name}.example.com` });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { path: files.write(`${name}.pem`, r.body.data.certificate), serial: r.body.data.serial_number };
}

const ask = (cert: string, ...extra: string[]) =>
  openssl('ocsp', '-issuer', caPath, '-cert', cert, '-url', `${srv.url}/v1/pki/ocsp`, '-CAfile', caPath, ...extra);

test('a certificate is good, then revoked once pki/revoke names it; the signature verifies', async () => {
  const leaf = await issue('ocsp-a');
  const good = await ask(leaf.path);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /Response verify OK/);
  assert.match(good.out, new RegExp(`${leaf.path}: good`));
  assert.match(good.out, /Next Update:/, 'ocsp_expiry (12h) sets nextUpdate');
  assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: leaf.serial })).status, 200);
  const revoked = await ask(leaf.path);
  assert.match(revoked.out, /Response verify OK/);
  assert.match(revoked.out, new RegExp(`${leaf.path}: revoked`));
});

test('a request nonce is not echoed, as in Vault; the answer still verifies', async () => {
  const leaf = await issue('ocsp-nonce');
  const r = await ask(leaf.path, '-nonce');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /WARNING: no nonce in response/);
  assert.match(r.out, /Response verify OK/);
});

test('an EC-384 intermediate and an Ed25519 root sign their own answers; openssl verifies both', async () => {
  const intPem = await makeIntermediate(srv);
  await srv.api('POST', 'pki_int/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, ttl: '1h' });
  const leaf = await srv.api('POST', 'pki_int/issue/web', { common_name: 'int-ocsp.example.com' });
  const intFile = files.write('int.pem', intPem);
  const chain = files.write('chain.pem', `${intPem}\n${(await srv.api('GET', 'pki/issuer/default')).body.data.certificate}`);
  const leafFile = files.write('int-leaf.pem', leaf.body.data.certificate);
  const good = await openssl('ocsp', '-issuer', intFile, '-cert', leafFile, '-url', `${srv.url}/v1/pki_int/ocsp`, '-CAfile', chain);
  assert.match(good.out, /Response verify OK/);
  assert.match(good.out, /: good/);
  await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.body.data.serial_number });
  const revoked = await openssl('ocsp', '-issuer', intFile, '-cert', leafFile, '-url', `${srv.url}/v1/pki_int/ocsp`, '-CAfile', chain);
  assert.match(revoked.out, /Response verify OK/);
  assert.match(revoked.out, /: revoked/);

  await mountPki(srv, 'pki_ed');
  const root = await srv.api('POST', 'pki_ed/root/generate/internal', { common_name: 'Ed Root', key_type: 'ed25519', ttl: '8760h' });
  assert.equal(root.status, 200, JSON.stringify(root.body));
  await srv.api('POST', 'pki_ed/roles/web', { allow_any_name: true, ttl: '1h' });
  const edLeaf = await srv.api('POST', 'pki_ed/issue/web', { common_name: 'ed.example.com' });
  const edRoot = files.write('ed-root.pem', root.body.data.certificate);
  const edFile = files.write('ed-leaf.pem', edLeaf.body.data.certificate);
  const ed = await openssl('ocsp', '-issuer', edRoot, '-cert', edFile, '-url', `${srv.url}/v1/pki_ed/ocsp`, '-CAfile', edRoot, '-text');
  assert.match(ed.out, /Response verify OK/);
  assert.match(ed.out, /: good/);
  assert.match(ed.out, /Signature Algorithm: ED25519/i);
});

test('GET with the request base64-encoded in the path answers the same', async () => {
  const leaf = await issue('ocsp-get');
  const reqPath = files.write('req.der', '');
  assert.equal((await openssl('ocsp', '-issuer', caPath, '-cert', leaf.path, '-no_nonce', '-reqout', reqPath)).code, 0);
  const encoded = encodeURIComponent(readFileSync(reqPath).toString('base64'));
  const res = await fetch(`${srv.url}/v1/pki/ocsp/${encoded}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
  const respPath = files.writeBytes('resp.der', new Uint8Array(await res.arrayBuffer()));
  const text = await openssl('ocsp', '-respin', respPath, '-issuer', caPath, '-cert', leaf.path, '-CAfile', caPath);
  assert.match(text.out, /Response verify OK/);
  assert.match(text.out, /: good/);
});

test('a serial this mount never issued is unknown; a garbled request is malformedRequest (400)', async () => {
  // A serial under our issuer that the mount has no record of (as after its record is gone).
  const leaf = await issue('ocsp-unknown');
  const pki = srv.core.unsealed.mounts.get('mounts', 'pki/')!;
  await srv.core.unsealed.mounts.viewOf(pki).delete(`certs/${leaf.serial.replace(/:/g, '')}`);
  assert.match((await ask(leaf.path)).out, new RegExp(`${leaf.path}: unknown`));
  const bad = await fetch(`${srv.url}/v1/pki/ocsp`, { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body: new Uint8Array([1, 2, 3]) });
  assert.equal(bad.status, 400);
  assert.deepEqual([...new Uint8Array(await bad.arrayBuffer())], [0x30, 0x03, 0x0a, 0x01, 0x01], 'OCSPResponse { malformedRequest }');
});

test('another CA\'s certificate is unknown, signed by the default issuer; an issuer without ocsp-signing is unauthorized', async () => {
  await mountPki(srv, 'pki_other');
  const other = await srv.api('POST', 'pki_other/root/generate/internal', { common_name: 'Other Root', key_type: 'ec', ttl: '8760h' });
  await srv.api('POST', 'pki_other/roles/web', { allow_any_name: true, ttl: '1h' });
  const leaf = await srv.api('POST', 'pki_other/issue/web', { common_name: 'stranger.example.com' });
  const otherRoot = files.write('other-root.pem', other.body.data.certificate);
  const leafFile = files.write('stranger.pem', leaf.body.data.certificate);
  const respPath = files.write('stranger-resp.der', '');
  const r = await openssl('ocsp', '-issuer', otherRoot, '-cert', leafFile, '-url', `${srv.url}/v1/pki/ocsp`, '-noverify', '-respout', respPath);
  assert.match(r.out, /: unknown/);
  const signedBy = await openssl('ocsp', '-respin', respPath, '-CAfile', caPath, '-VAfile', caPath);
  assert.match(signedBy.out, /Response verify OK/, 'the default issuer of pki/ signed it');

  const mine = await issue('ocsp-usage');
  await srv.api('PATCH', 'pki/issuer/default', { usage: 'read-only,issuing-certificates,crl-signing' }, { 'Content-Type': 'application/merge-patch+json' });
  try {
    const reqPath = files.write('req-usage.der', '');
    await openssl('ocsp', '-issuer', caPath, '-cert', mine.path, '-no_nonce', '-reqout', reqPath);
    const res = await fetch(`${srv.url}/v1/pki/ocsp`, { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body: readFileSync(reqPath) });
    assert.equal(res.status, 401);
  } finally {
    await srv.api('PATCH', 'pki/issuer/default', { usage: 'read-only,issuing-certificates,crl-signing,ocsp-signing' }, { 'Content-Type': 'application/merge-patch+json' });
  }
});

test('with ocsp_disable the responder answers unauthorized (401)', async () => {
  const leaf = await issue('ocsp-off');
  await srv.api('POST', 'pki/config/crl', { ocsp_disable: true });
  try {
    const reqPath = files.write('req-off.der', '');
    await openssl('ocsp', '-issuer', caPath, '-cert', leaf.path, '-no_nonce', '-reqout', reqPath);
    const res = await fetch(`${srv.url}/v1/pki/ocsp`, { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body: readFileSync(reqPath) });
    assert.equal(res.status, 401);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0x30, 0x03, 0x0a, 0x01, 0x06], 'OCSPResponse { unauthorized }');
  } finally {
    await srv.api('POST', 'pki/config/crl', { ocsp_disable: false });
  }
});

test('an issuer whose CRLs are PSS-signed answers OCSP with PKCS #1 v1.5, as Vault does, and its read warns of it', async () => {
  const set = await srv.api('PATCH', 'pki/issuer/default', { revocation_signature_algorithm: 'sha256withrsapss' }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.data.revocation_signature_algorithm, 'SHA256WithRSAPSS');
  const warning = 'Issuer uses a PSS Revocation Signature Algorithm. This algorithm will be downgraded to PKCS#1v1.5 signature scheme on OCSP responses, due to limitations in the OCSP library.';
  assert.deepEqual((await srv.api('GET', 'pki/issuer/default')).body.warnings, [warning]);
  const leaf = await issue('ocsp-pss');
  const r = await ask(leaf.path, '-resp_text');
  assert.match(r.out, /Response verify OK/);
  assert.match(r.out, /Signature Algorithm: sha256WithRSAEncryption/);
  await srv.api('PATCH', 'pki/issuer/default', { revocation_signature_algorithm: 'SHA256WithRSA' }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal((await srv.api('GET', 'pki/issuer/default')).body.warnings, null);
});
