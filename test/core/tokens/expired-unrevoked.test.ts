// A token past its expiry whose revocation has not been written yet (the expiration manager
// has not reached it) is no token at all: every way of presenting or naming it is refused, as
// Vault refuses an expired token at lookup before revoking it. Its entry is still stored
// throughout, which the tests check, so what they see is the refusal by the clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const clock = new ManualClock();
let srv: TestServer;
before(async () => {
  srv = await startTestServer({ clock });
  const policy = 'path "auth/token/create*" { capabilities = ["update"] }\npath "secret/*" { capabilities = ["read"] }';
  assert.equal((await srv.api('PUT', 'sys/policies/acl/creator', { policy })).status, 204);
});
after(() => srv.close());

/** A request made with `token` (the server's api helper, then back to root). */
async function as(token: string, method: string, path: string, body?: unknown) {
  srv.useToken(token);
  try {
    const { status, body: answer } = await srv.api(method, path, body);
    return { status, body: answer };
  } finally {
    srv.useToken(srv.rootToken);
  }
}

/** A token of `ttl` that is due once the clock passes it, and whether its entry is still stored. */
async function dueToken(ttl: string, extra: Record<string, unknown> = {}) {
  const auth = (await srv.api('POST', 'auth/token/create', { policies: ['creator'], ttl, ...extra })).body.auth;
  const id = srv.core.unsealed.tokens.hash(auth.client_token);
  const stored = async () => (await srv.core.barrier.get(`sys/token/id/${id}`)) !== undefined;
  return { token: auth.client_token as string, accessor: auth.accessor as string, id, stored };
}

test('a token past its expiry but still stored is refused everywhere it could be used', async () => {
  const t = await dueToken('10m');
  const live = await as(t.token, 'GET', 'auth/token/lookup-self');
  assert.equal(live.status, 200);
  clock.advance(10 * 60_000 + 1);
  assert.equal(await t.stored(), true, 'not revoked yet: the refusal below is by the clock');

  const denied = { status: 403, body: { errors: ['permission denied'] } };
  assert.deepEqual(await as(t.token, 'GET', 'auth/token/lookup-self'), denied);
  assert.deepEqual(await as(t.token, 'POST', 'auth/token/renew-self', {}), denied);
  assert.deepEqual(await as(t.token, 'POST', 'auth/token/create', {}), denied);
  // Named by another caller, it is not found either.
  assert.equal((await srv.api('POST', 'auth/token/lookup', { token: t.token })).status, 403);
  assert.equal((await srv.api('POST', 'auth/token/lookup-accessor', { accessor: t.accessor })).status, 400);
  assert.equal((await srv.api('POST', 'auth/token/renew-accessor', { accessor: t.accessor })).status, 400);
  assert.equal(await srv.core.unsealed.tokens.lookup(t.token), undefined);
  assert.equal(await srv.core.unsealed.tokens.byAccessor(t.accessor), undefined);
  assert.equal(await t.stored(), true);

  // The manager then removes it for good.
  await srv.core.unsealed.expiration.tick();
  assert.equal(await t.stored(), false);
});

test('a batch token whose parent is past its expiry is refused before the parent is revoked', async () => {
  const parent = await dueToken('10m');
  const batch = await as(parent.token, 'POST', 'auth/token/create', { type: 'batch', ttl: '1h' });
  assert.equal(batch.status, 200);
  const child = batch.body.auth.client_token as string;
  assert.equal((await as(child, 'GET', 'auth/token/lookup-self')).status, 200);
  clock.advance(10 * 60_000 + 1);
  assert.equal(await parent.stored(), true);
  assert.equal((await as(child, 'GET', 'auth/token/lookup-self')).status, 403);
  await srv.core.unsealed.expiration.tick();
});

test('a token value past its expiry cannot be issued again while its entry is still stored', async () => {
  const id = 'hvs.expiredbutstoredtoken0001';
  const first = await srv.api('POST', 'auth/token/create', { id, ttl: '10m' });
  assert.equal(first.status, 200);
  const oldAccessor = first.body.auth.accessor as string;
  clock.advance(10 * 60_000 + 1);
  // Issued again under the same value, the new token would share the stored id, and the old
  // accessor's index row (still there) would name the new token.
  const again = await srv.api('POST', 'auth/token/create', { id, ttl: '1h' });
  assert.deepEqual([again.status, again.body.errors], [400, ['token with this id already exists']]);
  assert.equal(await srv.core.unsealed.tokens.byAccessor(oldAccessor), undefined);
  // Once it is revoked the value is free again.
  await srv.core.unsealed.expiration.tick();
  const later = await srv.api('POST', 'auth/token/create', { id, ttl: '1h' });
  assert.equal(later.status, 200);
  assert.equal(await srv.core.unsealed.tokens.byAccessor(oldAccessor), undefined);
});
