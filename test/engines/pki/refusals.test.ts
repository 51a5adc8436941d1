// Bad input: each refusal Vault's clients may see, with its status and exact text; and no
// issued private key reaching the server log or an audit line unhashed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TestServer } from '../../helpers/server.js';
import { mountPki, startPkiServer, tempFiles } from './helpers.js';

let srv: TestServer;
const files = tempFiles();

before(async () => {
  ({ srv } = await startPkiServer());
  await srv.api('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec', max_ttl: '720h' });
  await srv.api('POST', 'pki/roles/any', { allow_any_name: true, key_type: 'any' });
  await srv.api('POST', 'pki/roles/noip', { allowed_domains: 'example.com', allow_subdomains: true, allow_ip_sans: false, key_type: 'ec' });
});
after(async () => { files.cleanup(); await srv.close(); });

type Case = { name: string; path: string; body: Record<string, unknown>; status: number; error?: string | RegExp; warning?: string };

const CASES: Case[] = [
  { name: 'CN outside the role', path: 'pki/issue/web', body: { common_name: 'evil.com' }, status: 400, error: 'common name evil.com not allowed by this role' },
  { name: 'SAN outside the role', path: 'pki/issue/web', body: { common_name: 'a.example.com', alt_names: 'b.evil.com' }, status: 400, error: 'subject alternate name b.evil.com not allowed by this role' },
  { name: 'bare domain without allow_bare_domains', path: 'pki/issue/web', body: { common_name: 'example.com' }, status: 400, error: 'common name example.com not allowed by this role' },
  { name: 'IP SANs on a role without them', path: 'pki/issue/noip', body: { common_name: 'a.example.com', ip_sans: '10.0.0.1' }, status: 400, error: 'IP Subject Alternative Names are not allowed in this role, but was provided via the API' },
  { name: 'RSA 1024 in a role', path: 'pki/roles/weak', body: { key_type: 'rsa', key_bits: 1024 }, status: 400, error: 'RSA keys < 2048 bits are unsafe and not supported: got 1024' },
  { name: 'EC 300 in a role', path: 'pki/roles/odd', body: { key_type: 'ec', key_bits: 300 }, status: 400, error: 'unsupported bit length for EC key: 300' },
  { name: 'RSA 1000 on issue with key_type=any', path: 'pki/issue/any', body: { common_name: 'x', key_type: 'rsa', key_bits: 1000 }, status: 400, error: 'RSA keys < 2048 bits are unsafe and not supported: got 1000' },
  { name: 'ttl above max_ttl in a role', path: 'pki/roles/ttl', body: { ttl: '2h', max_ttl: '1h' }, status: 400, error: '"ttl" value must be less than "max_ttl" value' },
  { name: 'TTL over max_ttl', path: 'pki/issue/web', body: { common_name: 'a.example.com', ttl: '8760h' }, status: 200, warning: 'TTL "8760h0m0s" is longer than permitted maxTTL "720h0m0s", so maxTTL is being used' },
  { name: 'ttl together with not_after', path: 'pki/issue/web', body: { common_name: 'a.example.com', ttl: '1h', not_after: '2030-01-01T00:00:00Z' }, status: 400, error: 'Either ttl or not_after should be provided. Both should not be provided in the same request.' },
  { name: 'any role without key_type', path: 'pki/issue/any', body: { common_name: 'x' }, status: 400, error: 'role key type "any" not allowed for issuing certificates without providing key_type and/or key_bits request parameters' },
  { name: 'unknown role', path: 'pki/issue/nope', body: { common_name: 'x' }, status: 400, error: 'unknown role: nope' },
  { name: 'kms root', path: 'pki/root/generate/kms', body: { common_name: 'x' }, status: 400, error: /managed keys are supported within enterprise edition only$/ },
  { name: 'unknown root type', path: 'pki/root/generate/other', body: { common_name: 'x' }, status: 400, error: 'the "exported" path parameter must be "internal", "existing", exported" or "kms"' },
  { name: 'bad format', path: 'pki/issue/web', body: { common_name: 'a.example.com', format: 'p12' }, status: 400, error: 'the "format" path parameter must be "pem", "der", or "pem_bundle"' },
  { name: 'key_type on a fixed role', path: 'pki/issue/web', body: { common_name: 'a.example.com', key_type: 'rsa' }, status: 200, warning: 'parameters key_type and key_bits ignored as role had specific values' },
];

for (const c of CASES) {
  test(`refusal: ${c.name}`, async () => {
    const r = await srv.api('POST', c.path, c.body);
    assert.equal(r.status, c.status, JSON.stringify(r.body));
    if (c.error instanceof RegExp) assert.match(r.body.errors[0], c.error);
    else if (c.error) assert.deepEqual(r.body.errors, [c.error]);
    if (c.warning) assert.ok(r.body.warnings?.includes(c.warning), JSON.stringify(r.body.warnings));
  });
}

test('TTL past the issuer NotAfter: 400 with err, clamped with truncate', async () => {
  await mountPki(srv, 'pki_short');
  await srv.api('POST', 'pki_short/root/generate/internal', { common_name: 'Short Root', ttl: '2h', key_type: 'ec', issuer_name: 'short' });
  await srv.api('POST', 'pki_short/roles/r', { allow_any_name: true, key_type: 'ec' });
  const refused = await srv.api('POST', 'pki_short/issue/r', { common_name: 'x', ttl: '10h' });
  assert.equal(refused.status, 400);
  assert.match(refused.body.errors[0], /^cannot satisfy request, as TTL would result in notAfter of \S+ that is beyond the expiration of the CA certificate at \S+$/);
  await srv.api('PATCH', 'pki_short/issuer/short', { leaf_not_after_behavior: 'truncate' }, { 'Content-Type': 'application/merge-patch+json' });
  const clamped = await srv.api('POST', 'pki_short/issue/r', { common_name: 'x', ttl: '10h' });
  assert.equal(clamped.status, 200, JSON.stringify(clamped.body));
  const ca = (await srv.api('GET', 'pki_short/issuer/short')).body.data.certificate;
  const { X509Certificate } = await import('node:crypto');
  assert.equal(clamped.body.data.expiration, Math.floor(new Date(new X509Certificate(ca).validTo).getTime() / 1000));
});

test('no key leaks: issued private keys never reach the log, and the audit line holds them hashed', async () => {
  const auditFile = files.write('audit.log', '');
  assert.equal((await srv.api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } })).status, 204);
  const r = await srv.api('POST', 'pki/issue/web', { common_name: 'audit.example.com' });
  const key: string = r.body.data.private_key;
  await srv.api('POST', 'pki/issue/web', { common_name: 'bad name!' }); // an error path too
  await srv.api('DELETE', 'sys/audit/file');
  const keyBody = key.split('\n')[1]!;
  assert.ok(!srv.log().includes(keyBody), 'a private key reached the server log');
  const audit = readFileSync(auditFile, 'utf8');
  assert.ok(!audit.includes(keyBody), 'a private key reached the audit log unhashed');
  const line = audit.split('\n').find((l) => l.includes('"response"') && l.includes('private_key'));
  assert.match(JSON.parse(line!).response.data.private_key, /^hmac-sha256:/);
});
