// root/sign-self-issued: another mount's self-signed root, re-signed by pki/'s root, keeps its
// subject, key and serial, chains to pki/'s root under openssl, and Vault's refusals hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { mountPki, openssl, startPkiServer, tempFiles } from './helpers.js';

let srv: TestServer;
let rootPem: string;
const files = tempFiles();

before(async () => { ({ srv, rootPem } = await startPkiServer()); await mountPki(srv, 'other'); });
after(async () => { files.cleanup(); await srv.close(); });

test('sign-self-issued re-signs a self-issued CA; openssl verifies it against the signing root', async () => {
  const other = await srv.api('POST', 'other/root/generate/internal', { common_name: 'Other Root', key_type: 'ec', ttl: '8760h' });
  assert.equal(other.status, 200);
  const r = await srv.api('POST', 'pki/root/sign-self-issued', { certificate: other.body.data.certificate });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.issuing_ca, rootPem);
  const text = await openssl('x509', '-in', files.write('cross.pem', r.body.data.certificate), '-noout', '-subject', '-issuer', '-serial');
  assert.match(text.out, /subject=CN\s?=\s?Other Root/);
  assert.match(text.out, /issuer=CN\s?=\s?Lockbox Test Root/);
  assert.match(text.out.toLowerCase(), new RegExp(`serial=${other.body.data.serial_number.replaceAll(':', '')}`));
  const verify = await openssl('verify', '-CAfile', files.write('root.pem', rootPem), files.write('cross2.pem', r.body.data.certificate));
  assert.equal(verify.code, 0, verify.out);

  const strict = await srv.api('POST', 'pki/root/sign-self-issued', { certificate: other.body.data.certificate, require_matching_certificate_algorithms: true });
  assert.equal(strict.status, 400);
  assert.match(strict.body.errors[0], /signing certificate's public key algorithm \(RSA\) does not match submitted certificate's \(ECDSA\), and require_matching_certificate_algorithms is true/);
});

test('sign-self-issued refusals use Vault texts', async () => {
  await srv.api('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec' });
  const leaf = (await srv.api('POST', 'pki/issue/web', { common_name: 'a.example.com' })).body.data.certificate;
  assert.deepEqual((await srv.api('POST', 'pki/root/sign-self-issued', { certificate: leaf })).body.errors, ['given certificate is not a CA certificate']);
  assert.deepEqual((await srv.api('POST', 'pki/root/sign-self-issued', { certificate: `${rootPem}\n${rootPem}` })).body.errors, ['2 certificates found in PEM file, expected 1']);
});
