// ACME account key rollover (RFC 8555 §7.3.5) as Vault CE answers it: the directory names
// keyChange, but no handler serves it, so acme-client's updateAccountKey meets the router's 404
// "unsupported path" and the account keeps its old key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import acme from 'acme-client';
import type { TestServer } from '../../helpers/server.js';
import { startPkiServer } from './helpers.js';

let srv: TestServer;

before(async () => {
  ({ srv } = await startPkiServer());
  assert.equal((await srv.api('POST', 'pki/config/cluster', { path: `${srv.url}/v1/pki` })).status, 200);
  assert.equal((await srv.api('POST', 'pki/config/acme', { enabled: true })).status, 200);
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true })).status, 200);
});
after(() => srv.close());

test('updateAccountKey gets 404 unsupported path; the old key still works and the new one has no account', async () => {
  const directoryUrl = `${srv.url}/v1/pki/acme/directory`;
  const oldKey = await acme.crypto.createPrivateEcdsaKey();
  const newKey = await acme.crypto.createPrivateEcdsaKey();
  const client = new acme.Client({ directoryUrl, accountKey: oldKey });
  await client.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:old@example.com'] });
  const accountUrl = client.getAccountUrl();
  const dir = await (await fetch(directoryUrl)).json() as { keyChange: string };
  assert.equal(dir.keyChange, `${srv.url}/v1/pki/acme/key-change`);

  await assert.rejects(client.updateAccountKey(newKey), /unsupported path/);

  // The failed rollover changed nothing: the old key still signs for the account…
  const again = new acme.Client({ directoryUrl, accountKey: oldKey });
  await again.createAccount({ onlyReturnExisting: true });
  assert.equal(again.getAccountUrl(), accountUrl);
  const updated = await again.updateAccount({ contact: ['mailto:still@example.com'] });
  assert.deepEqual(updated.contact, ['mailto:still@example.com']);
  // …and the new key belongs to no account.
  const fresh = new acme.Client({ directoryUrl, accountKey: newKey });
  await assert.rejects(fresh.createAccount({ onlyReturnExisting: true }), /accountDoesNotExist|does not exist|no account/i);
});

test('every directory answers key-change as Vault does: 404 unsupported path, token or not', async () => {
  const issuerId = (await srv.api('GET', 'pki/issuer/default')).body.data.issuer_id as string;
  for (const prefix of ['acme', 'roles/web/acme', `issuer/${issuerId}/acme`, `issuer/${issuerId}/roles/web/acme`]) {
    const dir = await (await fetch(`${srv.url}/v1/pki/${prefix}/directory`)).json() as { keyChange: string };
    assert.equal(dir.keyChange, `${srv.url}/v1/pki/${prefix}/key-change`);
    const bare = await fetch(dir.keyChange, { method: 'POST', headers: { 'Content-Type': 'application/jose+json' }, body: '{"protected":"","payload":"","signature":""}' });
    assert.equal(bare.status, 404, prefix);
    assert.deepEqual(await bare.json(), { errors: ['1 error occurred:\n\t* unsupported path\n\n'] });
    const withToken = await srv.api('POST', `pki/${prefix}/key-change`, {});
    assert.equal(withToken.status, 404, prefix);
  }
});
