// Vault's PKI has exactly two Root (sudo) paths: `root` and `root/sign-self-issued`. A token
// with update but no sudo signs intermediates and revokes issuers; it cannot delete the root
// or sign self-issued certificates through root/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { startPkiServer } from './helpers.js';

let srv: TestServer;
let token = '';
before(async () => {
  ({ srv } = await startPkiServer());
  const policy = 'path "pki/*" { capabilities = ["create", "read", "update", "delete", "list"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/pki-admin', { policy })).status, 204);
  token = (await srv.api('POST', 'auth/token/create', { policies: ['pki-admin'] })).body.auth.client_token;
});
after(() => srv.close());

const as = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${srv.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) as { errors?: string[] } | undefined };
};

test('sign-intermediate needs no sudo; root/sign-self-issued and DELETE root do', async () => {
  const other = await srv.api('POST', 'sys/mounts/pki_child', { type: 'pki' });
  assert.equal(other.status, 204);
  const childCsr = (await srv.api('POST', 'pki_child/intermediate/generate/internal', { common_name: 'Child' })).body.data.csr;
  for (const path of ['pki/root/sign-intermediate', 'pki/issuer/default/sign-intermediate']) {
    const r = await as('POST', path, { csr: childCsr, common_name: 'Child', ttl: '24h' });
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  }
  const selfIssued = await as('POST', 'pki/root/sign-self-issued', { certificate: 'x' });
  assert.deepEqual([selfIssued.status, selfIssued.body?.errors], [403, ['permission denied']]);
  const del = await as('DELETE', 'pki/root');
  assert.equal(del.status, 403);
});
