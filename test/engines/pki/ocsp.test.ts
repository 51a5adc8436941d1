// The OCSP responder, checked by openssl as a relying party would: good, then revoked after
// pki/revoke, unknown for a serial this mount never issued; GET and POST forms; a nonce echoed;
// ocsp_disable answers "unauthorized".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestServer } from '../../helpers/server.js';
import { openssl, startPkiServer, tempFiles } from './helpers.js';

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

test('the nonce of a request comes back in the answer', async () => {
  const leaf = await issue('ocsp-nonce');
  const r = await ask(leaf.path, '-nonce');
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /WARNING: no nonce|nonce verify error/i);
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
