// Response wrapping: any response behind X-Vault-Wrap-TTL, sys/wrapping/wrap, unwrap once,
// lookup, rewrap, expiry, and the policy limits on wrapping TTLs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const clock = new ManualClock();
let srv: TestServer;
before(async () => { srv = await startTestServer({ clock }); });
after(() => srv.close());

const INVALID = 'wrapping token is not valid or does not exist';

/** Unwraps with the wrapping token in X-Vault-Token and a null body, as Vault Agent does. */
async function unwrapWithHeader(token: string) {
  const r = await fetch(`${srv.url}/v1/sys/wrapping/unwrap`, { method: 'PUT', headers: { 'X-Vault-Token': token }, body: 'null' });
  return { status: r.status, body: await r.json() as any };
}

test('a wrapped cubbyhole read answers wrap_info only; unwrapping gives the original response once', async () => {
  await srv.api('POST', 'cubbyhole/app', { password: 'p4ss' });
  const plain = await srv.api('GET', 'cubbyhole/app');
  const wrapped = await srv.api('GET', 'cubbyhole/app', undefined, { 'X-Vault-Wrap-TTL': '5m' });
  assert.equal(wrapped.status, 200);
  assert.equal(wrapped.body.data, null);
  const info = wrapped.body.wrap_info;
  assert.equal(info.ttl, 300);
  assert.equal(info.creation_path, 'cubbyhole/app');
  assert.equal(info.creation_time, new Date(clock.now()).toISOString());
  assert.equal(typeof info.accessor, 'string');
  assert.equal(info.wrapped_accessor, undefined);

  const lookup = await srv.api('POST', 'sys/wrapping/lookup', { token: info.token });
  assert.deepEqual(lookup.body.data, { creation_path: 'cubbyhole/app', creation_time: info.creation_time, creation_ttl: 300 });

  const un = await srv.api('POST', 'sys/wrapping/unwrap', { token: info.token });
  assert.equal(un.status, 200);
  const { request_id: _a, ...gotBody } = un.body;
  const { request_id: _b, ...wantBody } = plain.body;
  assert.deepEqual(gotBody, wantBody);

  const again = await srv.api('POST', 'sys/wrapping/unwrap', { token: info.token });
  assert.deepEqual([again.status, again.body], [400, { errors: [INVALID] }]);
  assert.equal((await srv.api('POST', 'sys/wrapping/lookup', { token: info.token })).status, 400);
});

test('a wrapped token create is login-shaped: wrapped_accessor, and unwrap answers the auth block', async () => {
  const wrapped = await srv.api('POST', 'auth/token/create', { policies: ['default'] }, { 'X-Vault-Wrap-TTL': '60' });
  const info = wrapped.body.wrap_info;
  assert.equal(wrapped.body.auth, null);
  const un = await unwrapWithHeader(info.token);
  assert.equal(un.status, 200);
  assert.equal(un.body.auth.accessor, info.wrapped_accessor);
  const self = await fetch(`${srv.url}/v1/auth/token/lookup-self`, { headers: { 'X-Vault-Token': un.body.auth.client_token } });
  assert.equal(self.status, 200);
  assert.equal((await unwrapWithHeader(info.token)).status, 400);
});

test('sys/wrapping/wrap wraps arbitrary data; without a TTL it is refused', async () => {
  const wrapped = await srv.api('POST', 'sys/wrapping/wrap', { secret_id: 'abc', n: 3 }, { 'X-Vault-Wrap-TTL': '2m' });
  assert.equal(wrapped.status, 200);
  const un = await srv.api('POST', 'sys/wrapping/unwrap', { token: wrapped.body.wrap_info.token });
  assert.deepEqual(un.body.data, { secret_id: 'abc', n: 3 });
  assert.equal((await srv.api('POST', 'sys/wrapping/wrap', { a: 1 })).status, 400);
});

test('an expired wrapping token fails like a used one', async () => {
  const wrapped = await srv.api('POST', 'sys/wrapping/wrap', { a: 1 }, { 'X-Vault-Wrap-TTL': '30s' });
  clock.advance(31_000);
  const un = await srv.api('POST', 'sys/wrapping/unwrap', { token: wrapped.body.wrap_info.token });
  assert.deepEqual([un.status, un.body], [400, { errors: [INVALID] }]);
});

test('rewrap moves the response to a new token and the old one stops working', async () => {
  const first = (await srv.api('POST', 'sys/wrapping/wrap', { v: 'x' }, { 'X-Vault-Wrap-TTL': '10m' })).body.wrap_info;
  const re = await srv.api('POST', 'sys/wrapping/rewrap', { token: first.token });
  assert.equal(re.status, 200);
  const second = re.body.wrap_info;
  assert.notEqual(second.token, first.token);
  assert.equal(second.ttl, 600);
  assert.equal((await srv.api('POST', 'sys/wrapping/unwrap', { token: first.token })).status, 400);
  assert.deepEqual((await srv.api('POST', 'sys/wrapping/unwrap', { token: second.token })).body.data, { v: 'x' });
});

test('policy wrapping TTL bounds are enforced, and a TTL above the system max is refused', async () => {
  const policy = 'path "cubbyhole/*" {\n capabilities = ["read", "create", "update"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "10m"\n}';
  await srv.api('PUT', 'sys/policies/acl/wrapped', { policy });
  const token = (await srv.api('POST', 'auth/token/create', { policies: ['wrapped'] })).body.auth.client_token;
  const as = (ttl?: string) => fetch(`${srv.url}/v1/cubbyhole/x`, {
    headers: { 'X-Vault-Token': token, ...(ttl ? { 'X-Vault-Wrap-TTL': ttl } : {}) },
  });
  assert.equal((await as('30s')).status, 403);
  assert.equal((await as('1h')).status, 403);
  assert.equal((await as()).status, 403);
  assert.notEqual((await as('5m')).status, 403);
  const tooLong = await srv.api('GET', 'cubbyhole/app', undefined, { 'X-Vault-Wrap-TTL': '100000h' });
  assert.equal(tooLong.status, 400);
});

test('a malformed wrap TTL header is a 400', async () => {
  const r = await srv.api('GET', 'cubbyhole/app', undefined, { 'X-Vault-Wrap-TTL': 'soon' });
  assert.equal(r.status, 400);
});

test('concurrent unwraps, or an unwrap racing a rewrap, hand out the wrapped response once', async () => {
  const unwrapReq = (token: string, path = 'sys/wrapping/unwrap') =>
    ({ id: 'r', operation: 'update' as const, path, data: { token }, query: {}, headers: {}, clientToken: '', remoteAddress: '' });
  const wrapOne = async () => (await srv.api('POST', 'sys/wrapping/wrap', { v: 'once-only' }, { 'X-Vault-Wrap-TTL': '5m' })).body.wrap_info.token as string;
  // Straight into core, all in one turn: over HTTP the requests rarely interleave this tightly.
  const first = await wrapOne();
  const unwraps = await Promise.allSettled([1, 2, 3].map(() => srv.core.handle(unwrapReq(first))));
  assert.deepEqual(unwraps.map((r) => r.status).sort(), ['fulfilled', 'rejected', 'rejected']);
  for (const r of unwraps) if (r.status === 'rejected') assert.equal((r.reason as Error).message, INVALID);
  const second = await wrapOne();
  const mixed = await Promise.allSettled([srv.core.handle(unwrapReq(second)), srv.core.handle(unwrapReq(second, 'sys/wrapping/rewrap'))]);
  assert.deepEqual(mixed.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
});
