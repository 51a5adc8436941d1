// SigV4 over raw HTTP against a running server: every way a signature can be refused, with
// AWS's status, __type and message; keys of roles, their deletion, and temporary keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { signedCall, startAwsServer, type AwsTestServer } from '../../engines/aws-sm/setup.js';

const clock = new ManualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
let srv: AwsTestServer;
before(async () => {
  srv = await startAwsServer({ clock });
  assert.equal((await post('CreateSecret', { Name: 'sig/x', SecretString: 'v', ClientRequestToken: 'c'.repeat(32) })).status, 200);
});
after(async () => { await srv.close(); });

const now = () => new Date(clock.now());
const post = (action: string, members: unknown, extra: Partial<Parameters<typeof signedCall>[2]> = {}) =>
  signedCall(srv.url, JSON.stringify(members), { key: srv.rootKey, target: `secretsmanager.${action}`, date: now(), ...extra });

const expectError = (r: { status: number; body: { __type: string; Message?: string } }, type: string, message?: string | RegExp) => {
  assert.equal(r.status, 400);
  assert.equal(r.body.__type, type);
  if (typeof message === 'string') assert.equal(r.body.Message, message);
  else if (message) assert.match(r.body.Message ?? '', message);
};

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

test('a correctly signed request is answered with the AWS content type and a request id', async () => {
  const r = await post('GetSecretValue', { SecretId: 'sig/x' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.match(r.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
});

test('no Authorization header is MissingAuthenticationTokenException', async () => {
  const r = await fetch(`${srv.url}/`, { method: 'POST', headers: { 'x-amz-target': 'secretsmanager.ListSecrets' }, body: '{}' });
  const body = await r.json();
  assert.deepEqual([r.status, body.__type], [400, 'MissingAuthenticationTokenException']);
});

test('a malformed Authorization header is IncompleteSignatureException', async () => {
  const r = await post('ListSecrets', {}, { afterSign: (h, b) => ({ headers: { ...h, authorization: 'AWS4-HMAC-SHA256 Credential=x' }, body: b }) });
  expectError(r, 'IncompleteSignatureException');
});

test('a tampered body or signed header is InvalidSignatureException', async () => {
  expectError(await post('GetSecretValue', { SecretId: 'sig/x' }, { afterSign: (h) => ({ headers: h, body: '{"SecretId":"sig/y"}' }) }), 'InvalidSignatureException', MISMATCH);
  expectError(await post('GetSecretValue', { SecretId: 'sig/x' }, { afterSign: (h, b) => ({ headers: { ...h, 'x-amz-target': 'secretsmanager.DeleteSecret' }, body: b }) }), 'InvalidSignatureException', MISMATCH);
});

test('a wrong secret key is InvalidSignatureException', async () => {
  expectError(await post('ListSecrets', {}, { key: { ...srv.rootKey, secretAccessKey: 'x'.repeat(40) } }), 'InvalidSignatureException', MISMATCH);
});

test('more than five minutes of skew either way is refused with AWS\'s text', async () => {
  const early = await post('ListSecrets', {}, { date: new Date(clock.now() - 6 * 60_000) });
  expectError(early, 'InvalidSignatureException', 'Signature expired: 20261125T115400Z is now earlier than 20261125T115500Z (20261125T120000Z - 5 min.)');
  const late = await post('ListSecrets', {}, { date: new Date(clock.now() + 6 * 60_000) });
  expectError(late, 'InvalidSignatureException', /^Signature not yet current: 20261125T120600Z is still later than 20261125T120500Z/);
  assert.equal((await post('ListSecrets', {}, { date: new Date(clock.now() - 4 * 60_000) })).status, 200);
});

test('another region or service is refused', async () => {
  expectError(await post('ListSecrets', {}, { region: 'eu-west-1' }), 'InvalidSignatureException', "Credential should be scoped to a valid region, not 'eu-west-1'.");
  expectError(await post('ListSecrets', {}, { service: 's3' }), 'InvalidSignatureException', "Credential should be scoped to correct service: 'secretsmanager'.");
});

test('an unknown key is UnrecognizedClientException', async () => {
  expectError(await post('ListSecrets', {}, { key: { accessKeyId: 'LKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'y'.repeat(40) } }), 'UnrecognizedClientException', INVALID_TOKEN);
});

test('a deleted key stops working at once', async () => {
  const key = await srv.keyFor('deleted', 'path "aws-sm/*" { capabilities = ["read", "list"] }');
  assert.equal((await post('ListSecrets', {}, { key })).status, 200);
  const listed = await srv.api('LIST', 'auth/sigv4/role/deleted/keys');
  assert.deepEqual(listed.body.data.keys, [key.accessKeyId]);
  assert.equal(JSON.stringify(listed.body).includes(key.secretAccessKey), false);
  assert.equal((await srv.api('DELETE', `auth/sigv4/role/deleted/keys/${key.accessKeyId}`)).status, 204);
  expectError(await post('ListSecrets', {}, { key }), 'UnrecognizedClientException', INVALID_TOKEN);
});

test('a key past its key_ttl is UnrecognizedClientException', async () => {
  await srv.api('PUT', 'sys/policies/acl/short', { policy: 'path "aws-sm/*" { capabilities = ["list"] }' });
  await srv.api('POST', 'auth/sigv4/role/short', { token_policies: ['short'], key_ttl: '1h' });
  const made = (await srv.api('POST', 'auth/sigv4/role/short/keys')).body.data;
  assert.match(made.access_key_id, /^LKIA[A-Z2-7]{16}$/);
  assert.equal(made.secret_access_key.length, 40);
  const key = { accessKeyId: made.access_key_id, secretAccessKey: made.secret_access_key };
  assert.equal((await post('ListSecrets', {}, { key })).status, 200);
  clock.advance(3601_000);
  try {
    expectError(await post('ListSecrets', {}, { key }), 'UnrecognizedClientException', INVALID_TOKEN);
  } finally {
    clock.advance(-3601_000);
  }
});

test('a temporary key needs its signed session token and dies with its Lockbox token', async () => {
  const child = await srv.api('POST', 'auth/token/create', { policies: ['admin'], ttl: '1h' });
  const token = child.body.auth.client_token as string;
  srv.useToken(token);
  const temp = (await srv.api('POST', 'auth/sigv4/temporary')).body.data;
  srv.useToken(srv.rootToken);
  const key = { accessKeyId: temp.access_key_id, secretAccessKey: temp.secret_access_key };
  assert.equal((await post('ListSecrets', {}, { key, sessionToken: temp.session_token })).status, 200);
  expectError(await post('ListSecrets', {}, { key }), 'UnrecognizedClientException', INVALID_TOKEN);
  expectError(await post('ListSecrets', {}, { key, sessionToken: 'wrong' }), 'UnrecognizedClientException', INVALID_TOKEN);
  // Sent but not signed: a proxy could have swapped it.
  const unsigned = await post('ListSecrets', {}, { key, afterSign: (h, b) => ({ headers: { ...h, 'x-amz-security-token': temp.session_token }, body: b }) });
  expectError(unsigned, 'UnrecognizedClientException', INVALID_TOKEN);
  assert.equal((await srv.api('POST', 'auth/token/revoke', { token })).status, 204);
  expectError(await post('ListSecrets', {}, { key, sessionToken: temp.session_token }), 'UnrecognizedClientException', INVALID_TOKEN);
});
