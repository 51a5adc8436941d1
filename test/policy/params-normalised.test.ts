// Finding "denied_parameters / allowed_parameters compared before normalisation": parameters
// are checked in the form the handler uses (policy names trimmed and lower-cased).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let limited: string;
before(async () => {
  srv = await startTestServer();
  const policy = `
    path "auth/token/create" {
      capabilities = ["update"]
      denied_parameters = { "policies" = ["nosudo"] }
    }`;
  assert.equal((await srv.api('PUT', 'sys/policies/acl/creator', { policy })).status, 204);
  assert.equal((await srv.api('PUT', 'sys/policies/acl/nosudo', { policy: 'path "x" { capabilities = ["read"] }' })).status, 204);
  limited = (await srv.api('POST', 'auth/token/create', { policies: ['creator', 'nosudo'] })).body.auth.client_token;
});
after(() => srv.close());

for (const spelling of [['nosudo'], ['NOSUDO'], [' nosudo'], 'default, NoSudo']) {
  test(`denied_parameters compared after normalisation: policies ${JSON.stringify(spelling)} is denied`, async () => {
    const r = await fetch(`${srv.url}/v1/auth/token/create`, { method: 'POST', headers: { 'X-Vault-Token': limited }, body: JSON.stringify({ policies: spelling }) });
    assert.equal(r.status, 403, await r.text());
  });
}
