// Revocation and CRLs: revoke by serial or certificate, CRL downloads openssl and
// @peculiar/x509 accept, crl_check failing on the revoked leaf, delta CRLs, leases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { makeIntermediate, openssl, startPkiServer, tempFiles } from './helpers.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RevokedCertificate } from '@peculiar/asn1-x509';
import { revocationOf } from '../../../src/engines/pki/revoke.js';

let srv: TestServer;
let rootPem: string;
let intPem: string;
const files = tempFiles();

before(async () => {
  ({ srv, rootPem } = await startPkiServer());
  intPem = await makeIntermediate(srv);
  await srv.api('POST', 'pki_int/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec', ttl: '1h' });
});
after(async () => { files.cleanup(); await srv.close(); });

async function issue(cn: string) {
  const r = await srv.api('POST', 'pki_int/issue/web', { common_name: cn });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data as { certificate: string; serial_number: string; private_key: string };
}

test('a revocation is stored with its CRL entry, and the CRL carries those bytes', async () => {
  const leaf = await issue('stored-entry.example.com');
  const r = await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.serial_number });
  assert.equal(r.status, 200);
  const storage = srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('mounts', 'pki_int/')!);
  const stored = await revocationOf(storage, leaf.serial_number.replaceAll(':', ''));
  const der = Buffer.from(stored!.crl_entry!, 'base64');
  const parsed = AsnConvert.parse(der, RevokedCertificate);
  assert.equal(new x509.X509CrlEntry(der).serialNumber, new x509.X509Certificate(leaf.certificate).serialNumber);
  assert.equal(parsed.revocationDate.getTime().getTime(), r.body.data.revocation_time * 1000);
  const crl = await fetch(`${srv.url}/v1/pki_int/crl`);
  assert.ok(Buffer.from(await crl.arrayBuffer()).includes(der), 'listed as stored');
});

async function download(path: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(`${srv.url}/v1/${path}`);
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

test('revoke, then the CRL (DER and PEM) lists the serial, verifies, and openssl verify -crl_check fails', async () => {
  const leaf = await issue('revoked.example.com');
  const r = await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.serial_number });
  assert.equal(r.status, 200);
  assert.equal(r.body.data.state, 'revoked');
  assert.equal(typeof r.body.data.revocation_time, 'number');
  assert.match(r.body.data.revocation_time_rfc3339, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const again = await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.serial_number.replaceAll(':', '-') });
  assert.equal(again.body.data.revocation_time, r.body.data.revocation_time);

  const der = await download('pki_int/crl');
  assert.deepEqual([der.status, der.type], [200, 'application/pkix-crl']);
  const crl = new x509.X509Crl(new Uint8Array(der.bytes));
  assert.ok(await crl.verify({ publicKey: new x509.X509Certificate(intPem).publicKey }));
  assert.ok(crl.findRevoked(new x509.X509Certificate(leaf.certificate)));
  const pem = await download('pki_int/crl/pem');
  assert.equal(pem.type, 'application/x-pem-file');
  assert.match(pem.bytes.toString(), /^-----BEGIN X509 CRL-----/);

  const intFile = files.write('int.pem', intPem);
  const crlFile = files.writeBytes('crl.der', der.bytes);
  const check = await openssl('crl', '-inform', 'DER', '-in', crlFile, '-CAfile', intFile, '-noout');
  assert.match(check.out, /verify OK/);
  const text = await openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text');
  assert.match(text.out.toLowerCase(), new RegExp(leaf.serial_number.replaceAll(':', '')));
  assert.match(text.out, /X509v3 CRL Number/);

  const chain = files.write('chain.pem', `${intPem}\n${rootPem}`);
  const crlPem = files.write('crl.pem', pem.bytes.toString());
  const rootCrl = files.writeBytes('root-crl.der', new Uint8Array((await download('pki/crl')).bytes));
  const rootCrlPem = files.write('root-crl.pem', (await download('pki/crl/pem')).bytes.toString());
  void rootCrl;
  const leafFile = files.write('leaf.pem', leaf.certificate);
  const verify = await openssl('verify', '-crl_check_all', '-CAfile', chain, '-CRLfile', crlPem, '-CRLfile', rootCrlPem, leafFile);
  assert.notEqual(verify.code, 0);
  assert.match(verify.out, /certificate revoked/);
  const fine = files.write('fine.pem', (await issue('fine.example.com')).certificate);
  const ok = await openssl('verify', '-crl_check_all', '-CAfile', chain, '-CRLfile', crlPem, '-CRLfile', rootCrlPem, fine);
  assert.equal(ok.code, 0, ok.out);

  const info = await srv.api('GET', `pki_int/cert/${leaf.serial_number}`);
  assert.equal(info.body.data.revocation_time, r.body.data.revocation_time);
  assert.notEqual(info.body.data.issuer_id, undefined);
  const listed = await srv.api('LIST', 'pki_int/certs/revoked');
  assert.ok(listed.body.data.keys.includes(leaf.serial_number));
});

test('revoke by certificate and revoke-with-key check their inputs with Vault texts', async () => {
  const leaf = await issue('bycert.example.com');
  const other = await issue('other.example.com');
  const both = await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.serial_number, certificate: leaf.certificate });
  assert.deepEqual(both.body.errors, ['Must provide either the certificate or the serial to revoke; not both.']);
  const neither = await srv.api('POST', 'pki_int/revoke', {});
  assert.deepEqual(neither.body.errors, ['The serial number or certificate to revoke must be provided.']);
  const unknown = await srv.api('POST', 'pki_int/revoke', { serial_number: '01:02:03' });
  assert.deepEqual(unknown.body.errors, ['certificate with serial 01:02:03 not found.']);
  const wrongKey = await srv.api('POST', 'pki_int/revoke-with-key', { certificate: leaf.certificate, private_key: other.private_key });
  assert.deepEqual([wrongKey.status, wrongKey.body.errors], [400, ["provided private key does not match certificate's public key"]]);
  const ok = await srv.api('POST', 'pki_int/revoke-with-key', { certificate: leaf.certificate, private_key: leaf.private_key });
  assert.equal(ok.body.data.state, 'revoked');
  const issuerSerial = (await srv.api('GET', 'pki_int/issuer/default')).body.data.serial_number;
  const own = await srv.api('POST', 'pki_int/revoke', { serial_number: issuerSerial });
  assert.equal(own.status, 400);
});

test('crl/rotate answers success and bumps the CRL number; cert/crl is JSON', async () => {
  const before = new x509.X509Crl(new Uint8Array((await download('pki_int/crl')).bytes));
  const rotate = await srv.api('GET', 'pki_int/crl/rotate');
  assert.deepEqual(rotate.body.data, { success: true });
  const afterCrl = new x509.X509Crl(new Uint8Array((await download('pki_int/crl')).bytes));
  const number = (crl: x509.X509Crl) => crl.extensions.find((e) => e.type === '2.5.29.20')!.value;
  assert.notDeepEqual(Buffer.from(number(afterCrl)), Buffer.from(number(before)));
  const json = await srv.api('GET', 'pki_int/cert/crl');
  assert.match(json.body.data.certificate, /^-----BEGIN X509 CRL-----/);
});

test('config/crl validates with Vault texts; delta CRLs carry a critical Delta CRL Indicator', async () => {
  const bad = await srv.api('POST', 'pki_int/config/crl', { enable_delta: true });
  assert.deepEqual(bad.body.errors, ['Delta CRLs cannot be enabled when auto rebuilding is disabled as the complete CRL is always regenerated!']);
  const cfg = await srv.api('POST', 'pki_int/config/crl', { enable_delta: true, auto_rebuild: true });
  assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
  assert.equal(cfg.body.data.expiry, '72h');
  const leaf = await issue('delta.example.com');
  await srv.api('POST', 'pki_int/revoke', { serial_number: leaf.serial_number });
  const delta = await download('pki_int/crl/delta');
  assert.equal(delta.status, 200);
  const text = await openssl('crl', '-inform', 'DER', '-in', files.writeBytes('delta.der', delta.bytes), '-noout', '-text');
  assert.match(text.out, /Delta CRL Indicator: critical/);
  assert.match(text.out.toLowerCase(), new RegExp(leaf.serial_number.replaceAll(':', '')));
  await srv.api('POST', 'pki_int/config/crl', { enable_delta: false, auto_rebuild: false });
});

test('generate_lease: the lease is pki_int/issue/<role>/<id>, and revoking it revokes the certificate', async () => {
  await srv.api('POST', 'pki_int/roles/leased', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec', ttl: '1h', generate_lease: true });
  const r = await srv.api('POST', 'pki_int/issue/leased', { common_name: 'lease.example.com' });
  assert.match(r.body.lease_id, /^pki_int\/issue\/leased\//);
  assert.equal(r.body.renewable, false);
  assert.ok(r.body.lease_duration > 3500 && r.body.lease_duration <= 3600);
  const rev = await srv.api('PUT', 'sys/leases/revoke', { lease_id: r.body.lease_id });
  assert.equal(rev.status, 204, JSON.stringify(rev.body));
  const info = await srv.api('GET', `pki_int/cert/${r.body.data.serial_number}`);
  assert.ok(info.body.data.revocation_time > 0);
});

test('no_store: the certificate is returned but not stored or revocable', async () => {
  await srv.api('POST', 'pki_int/roles/ephemeral', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec', ttl: '1h', no_store: true });
  const r = await srv.api('POST', 'pki_int/issue/ephemeral', { common_name: 'nostore.example.com' });
  assert.equal(r.status, 200);
  assert.equal((await srv.api('GET', `pki_int/cert/${r.body.data.serial_number}`)).status, 404);
  assert.equal((await srv.api('POST', 'pki_int/revoke', { serial_number: r.body.data.serial_number })).status, 400);
});

test('ca, ca/pem, ca_chain and cert/ca answer the default issuer with Vault content types', async () => {
  const der = await download('pki_int/ca');
  assert.deepEqual([der.status, der.type], [200, 'application/pkix-cert']);
  assert.equal(new x509.X509Certificate(new Uint8Array(der.bytes)).toString('pem'), intPem);
  const pem = await download('pki_int/ca/pem');
  assert.equal(pem.bytes.toString().trim(), intPem);
  const chain = await download('pki_int/ca_chain');
  assert.equal(chain.bytes.toString().trim(), `${intPem}\n${rootPem}`);
  const json = await srv.api('GET', 'pki_int/cert/ca');
  assert.equal(json.body.data.certificate, intPem);
  const list = await srv.api('LIST', 'pki_int/certs', undefined);
  assert.ok(list.body.data.keys.length > 2);
  const page = await srv.api('LIST', `pki_int/certs?limit=1&after=${list.body.data.keys[0]}`);
  assert.deepEqual(page.body.data.keys, [list.body.data.keys[1]]);
});

test('issuer/:ref/revoke puts the intermediate on the root CRL and stops it issuing', async () => {
  const r = await srv.api('POST', 'pki_int/issuer/default/revoke', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.revoked, true);
  assert.ok(r.body.warnings.some((w: string) => w.includes('lacks another parent issuer') || w.includes('default issuer')));
  const refused = await srv.api('POST', 'pki_int/issue/web', { common_name: 'after.example.com' });
  assert.equal(refused.status, 400);
  // In pki/ the intermediate is no issuer, so revoke it there by its stored certificate.
  const serial = new x509.X509Certificate(intPem).serialNumber;
  const rootRevoke = await srv.api('POST', 'pki/revoke', { serial_number: serial });
  assert.equal(rootRevoke.status, 200, JSON.stringify(rootRevoke.body));
  const crl = new x509.X509Crl(new Uint8Array((await download('pki/crl')).bytes));
  assert.ok(crl.findRevoked(new x509.X509Certificate(intPem)));
});
