// node-vault against a pki mount, the way an application uses it: root, role, issue, sign,
// revoke, CRL read and tidy through its generic read/write helpers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { failure, vaultClient } from './client.js';
import { x509 } from '../../../src/engines/pki/x509.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('node-vault: mount, root, role, issue, sign, revoke, CRL read and tidy', async () => {
  const vault = vaultClient(srv.url, srv.rootToken);
  await vault.mount({ mount_point: 'pki', type: 'pki', config: { max_lease_ttl: '87600h' } });
  const root = await vault.write('pki/root/generate/internal', { common_name: 'node-vault root', ttl: '87600h' });
  assert.match(root.data.certificate, /^-----BEGIN CERTIFICATE-----/);
  await vault.write('pki/roles/app', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h', key_type: 'ec' });
  const role = await vault.read('pki/roles/app');
  assert.deepEqual(role.data.allowed_domains, ['example.com']);
  assert.equal(role.data.key_bits, 256);
  const issued = await vault.write('pki/issue/app', { common_name: 'api.example.com', ttl: '1h' });
  assert.equal(issued.data.private_key_type, 'ec');
  assert.equal(issued.lease_id, '');

  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=svc.example.com', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
  const signed = await vault.write('pki/sign/app', { csr: csr.toString('pem'), ttl: '1h' });
  assert.match(signed.data.serial_number, /^[0-9a-f]{2}(:[0-9a-f]{2})+$/);

  const refused = await failure(vault.write('pki/issue/app', { common_name: 'evil.com' }));
  assert.equal(refused.response.statusCode, 400);
  assert.equal(refused.message, 'common name evil.com not allowed by this role');

  const revoked = await vault.write('pki/revoke', { serial_number: issued.data.serial_number });
  assert.equal(revoked.data.state, 'revoked');
  const crl = await vault.read('pki/cert/crl');
  assert.match(crl.data.certificate, /^-----BEGIN X509 CRL-----/);
  const parsed = new x509.X509Crl(crl.data.certificate);
  assert.ok(parsed.findRevoked(new x509.X509Certificate(issued.data.certificate)));

  // Vault answers tidy with 202 Accepted, which node-vault reports as a failure "Status 202"
  // (it resolves only 200 and 204): the same happens against Vault.
  const tidy = await failure(vault.write('pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true }));
  assert.equal(tidy.response.statusCode, 202);
  assert.ok(tidy.response.body.warnings[0].startsWith('Tidy operation successfully started'));
  const status = await vault.read('pki/tidy-status');
  assert.ok(['Running', 'Finished'].includes(status.data.state));
});
