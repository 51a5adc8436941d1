// Issuing and signing under roles: key types, SANs, EKUs, AIA URLs, chains, TLS and mTLS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import tls from 'node:tls';
import type { TestServer } from '../../helpers/server.js';
import { makeIntermediate, openssl, startPkiServer, tempFiles } from './helpers.js';
import { x509 } from '../../../src/engines/pki/x509.js';

let srv: TestServer;
let rootPem: string;
let intPem: string;
const files = tempFiles();
let rootFile: string;
let intFile: string;

before(async () => {
  ({ srv, rootPem } = await startPkiServer());
  intPem = await makeIntermediate(srv);
  rootFile = files.write('root.pem', rootPem);
  intFile = files.write('int.pem', intPem);
  await srv.api('POST', 'pki_int/config/urls', {
    issuing_certificates: 'http://127.0.0.1:8200/v1/pki_int/ca', crl_distribution_points: 'http://127.0.0.1:8200/v1/pki_int/crl',
    ocsp_servers: 'http://127.0.0.1:8200/v1/pki_int/ocsp',
  });
  const role = await srv.api('POST', 'pki_int/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h', key_type: 'any' });
  assert.equal(role.status, 200, JSON.stringify(role.body));
});
after(async () => { files.cleanup(); await srv.close(); });

const KEY_TYPES: Array<[string, number]> = [
  ['rsa', 2048], ['rsa', 3072], ['rsa', 4096], ['rsa', 8192], ['ec', 224], ['ec', 256], ['ec', 384], ['ec', 521], ['ed25519', 0],
];

for (const [type, bits] of KEY_TYPES) {
  test(`a ${type}-${bits} leaf verifies with openssl against root + intermediate`, async () => {
    const r = await srv.api('POST', 'pki_int/issue/web', { common_name: `${type}${bits}.example.com`, alt_names: 'alt.example.com', ip_sans: '127.0.0.1', key_type: type, key_bits: bits, ttl: '1h' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const d = r.body.data;
    assert.equal(d.private_key_type, type);
    assert.deepEqual(d.ca_chain, [intPem, rootPem]);
    assert.equal(d.issuing_ca, intPem);
    assert.ok(d.expiration - d.not_before >= 3600);
    const leaf = files.write(`leaf-${type}-${bits}.pem`, d.certificate);
    const v = await openssl('verify', '-CAfile', rootFile, '-untrusted', intFile, leaf);
    assert.equal(v.code, 0, v.out);
    if (type === 'rsa' && bits === 2048) {
      const text = (await openssl('x509', '-in', leaf, '-noout', '-text')).out;
      assert.match(text, /DNS:rsa2048\.example\.com, DNS:alt\.example\.com, IP Address:127\.0\.0\.1/);
      assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
      assert.match(text, /OCSP - URI:http:\/\/127\.0\.0\.1:8200\/v1\/pki_int\/ocsp/);
      assert.match(text, /CA Issuers - URI:http:\/\/127\.0\.0\.1:8200\/v1\/pki_int\/ca/);
      assert.match(text, /URI:http:\/\/127\.0\.0\.1:8200\/v1\/pki_int\/crl/);
      assert.match(d.private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
    }
  });
}

test('private_key_format=pkcs8 gives PKCS#8; format=der base64-encodes; pem_bundle bundles key, cert and chain', async () => {
  const p8 = await srv.api('POST', 'pki_int/issue/web', { common_name: 'p8.example.com', key_type: 'ec', private_key_format: 'pkcs8' });
  assert.match(p8.body.data.private_key, /^-----BEGIN PRIVATE KEY-----[\s\S]*END PRIVATE KEY-----$/);
  const der = await srv.api('POST', 'pki_int/issue/web', { common_name: 'der.example.com', key_type: 'ec', format: 'der' });
  assert.doesNotThrow(() => new x509.X509Certificate(Buffer.from(der.body.data.certificate, 'base64')));
  const pb = await srv.api('POST', 'pki_int/issue/web', { common_name: 'pb.example.com', key_type: 'ec', format: 'pem_bundle' });
  assert.equal((pb.body.data.certificate.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
  assert.match(pb.body.data.certificate, /^-----BEGIN EC PRIVATE KEY-----/);
});

test('remove_roots_from_chain leaves the root out of ca_chain', async () => {
  const r = await srv.api('POST', 'pki_int/issue/web', { common_name: 'nr.example.com', key_type: 'ec', remove_roots_from_chain: true });
  assert.deepEqual(r.body.data.ca_chain, [intPem]);
});

test('sign/:role with cert-manager style string values and a CSR', async () => {
  await srv.api('POST', 'pki_int/roles/ecsign', { allowed_domains: ['example.com'], allow_subdomains: 'true', key_type: 'ec', max_ttl: '2160h' });
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=cm.example.com', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'cm.example.com' }])],
  });
  const body = { csr: csr.toString('pem'), common_name: '', alt_names: '', ip_sans: '', uri_sans: '', ttl: '2160h0m0s', exclude_cn_from_sans: 'true', format: 'pem' };
  const r = await srv.api('POST', 'pki_int/sign/ecsign', body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.private_key, undefined);
  const cert = new x509.X509Certificate(r.body.data.certificate);
  assert.equal(cert.subject, 'CN=cm.example.com');
  // An RSA CSR against an ec role is refused.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  void privateKey; void publicKey;
  const rsaKeys = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
  const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=r.example.com', keys: rsaKeys, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } });
  const refused = await srv.api('POST', 'pki_int/sign/ecsign', { csr: rsaCsr.toString('pem') });
  assert.deepEqual([refused.status, refused.body.errors], [400, ['role requires keys of type ec']]);
});

test('consul-template style: issue with no Content-Type header', async () => {
  const res = await fetch(`${srv.url}/v1/pki_int/issue/web`, {
    method: 'PUT', headers: { 'X-Vault-Token': srv.rootToken }, body: JSON.stringify({ common_name: 'ct.example.com', key_type: 'ec', ttl: '10m' }),
  });
  assert.equal(res.status, 200);
  const body = await res.json() as { data: { expiration: number }; lease_id: string; lease_duration: number };
  assert.equal(typeof body.data.expiration, 'number');
  assert.deepEqual([body.lease_id, body.lease_duration], ['', 0]);
});

test('sign-verbatim copies the CSR subject and refuses CA CSRs', async () => {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=anything.internal, O=Acme', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  const r = await srv.api('POST', 'pki_int/sign-verbatim', { csr: csr.toString('pem'), ttl: '1h' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(new x509.X509Certificate(r.body.data.certificate).subject, 'CN=anything.internal, O=Acme');
  const ca = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=sub-ca', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)] });
  const refused = await srv.api('POST', 'pki_int/sign-verbatim', { csr: ca.toString('pem') });
  assert.equal(refused.status, 400);
});

/** Starts a TLS server with `cert`+chain and connects with a client trusting `ca`; answers the outcome. */
async function handshake(server: { key: string; cert: string }, client: { ca: string; key?: string; cert?: string }, requestCert = false) {
  const s = tls.createServer({ key: server.key, cert: server.cert, requestCert, rejectUnauthorized: requestCert, ca: requestCert ? client.ca : undefined }, (sock) => sock.end('hi'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  try {
    return await new Promise<{ authorized: boolean; error?: string }>((resolve) => {
      const c = tls.connect({ port, host: '127.0.0.1', servername: 'tls.example.com', ca: client.ca, key: client.key, cert: client.cert }, () => {
        c.once('data', () => { resolve({ authorized: c.authorized }); c.end(); });
      });
      c.on('error', (e) => resolve({ authorized: false, error: e.message }));
      c.on('end', () => resolve({ authorized: false, error: 'closed' }));
    });
  } finally {
    s.close();
  }
}

test('TLS: an issued server certificate with its chain is trusted by a client that knows only the root', async () => {
  const r = await srv.api('POST', 'pki_int/issue/web', { common_name: 'tls.example.com', key_type: 'ec' });
  const out = await handshake({ key: r.body.data.private_key, cert: `${r.body.data.certificate}\n${intPem}` }, { ca: rootPem });
  assert.deepEqual(out, { authorized: true });
});

test('mTLS: a client_flag certificate is accepted; client_flag=false and another root are refused', async () => {
  await srv.api('POST', 'pki_int/roles/server-only', { allowed_domains: 'example.com', allow_subdomains: true, client_flag: false, key_type: 'ec' });
  const server = (await srv.api('POST', 'pki_int/issue/web', { common_name: 'tls.example.com', key_type: 'ec' })).body.data;
  const serverCreds = { key: server.private_key, cert: `${server.certificate}\n${intPem}` };
  const good = (await srv.api('POST', 'pki_int/issue/web', { common_name: 'client.example.com', key_type: 'ec' })).body.data;
  const ok = await handshake(serverCreds, { ca: rootPem, key: good.private_key, cert: `${good.certificate}\n${intPem}` }, true);
  assert.deepEqual(ok, { authorized: true });
  const noClientRes = await srv.api('POST', 'pki_int/issue/server-only', { common_name: 'client.example.com' });
  assert.equal(noClientRes.status, 200, JSON.stringify(noClientRes.body));
  const noClient = noClientRes.body.data;
  const refused = await handshake(serverCreds, { ca: rootPem, key: noClient.private_key, cert: `${noClient.certificate}\n${intPem}` }, true);
  assert.equal(refused.authorized, false);
  await srv.api('POST', 'sys/mounts/other', { type: 'pki' });
  await srv.api('POST', 'other/root/generate/internal', { common_name: 'Other Root', key_type: 'ec' });
  await srv.api('POST', 'other/roles/any', { allow_any_name: true, key_type: 'ec' });
  const foreignRes = await srv.api('POST', 'other/issue/any', { common_name: 'client.example.com', ttl: '1h' });
  assert.equal(foreignRes.status, 200, JSON.stringify(foreignRes.body));
  const foreign = foreignRes.body.data;
  const refused2 = await handshake(serverCreds, { ca: rootPem, key: foreign.private_key, cert: foreign.certificate }, true);
  assert.equal(refused2.authorized, false);
});
