// The lease cache's rules on a manual clock, against a scripted upstream: what is cached,
// hits and Age, one upstream call for identical requests in flight, the renewal schedule,
// eviction when renewal ends, revocations and cache-clear (cascading through the token tree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseCache, type CacheRequest } from '../../../src/agent/cache/cache.js';
import { cacheClear } from '../../../src/agent/cache/clear.js';
import type { Json, JsonRequest, RawRequest, RawResponse, Transport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler } from '../../../src/agent/schedule.js';

const AUTO = 'hvs.auto-auth-token';

type JsonCall = { method: string; path: string; token?: string; body?: unknown; at: number };

/** An upstream whose renew answers the test scripts; proxied requests are answered by `forward`. */
class Upstream implements Transport {
  readonly address = 'http://upstream.test';
  readonly calls: JsonCall[] = [];
  // sys/leases/renew answers at the top level, renew-self in an auth block.
  renew: (c: JsonCall) => Json | Error = () => ({ lease_duration: 60, renewable: true, auth: { lease_duration: 60, renewable: true } });
  readonly s: ManualScheduler;
  constructor(s: ManualScheduler) {
    this.s = s;
  }
  async raw(_req: RawRequest): Promise<RawResponse> {
    throw new Error('not used');
  }
  async json(method: string, path: string, req: JsonRequest = {}): Promise<Json | undefined> {
    const c = { method, path, token: req.token, body: req.body, at: this.s.now() };
    this.calls.push(c);
    const r = this.renew(c);
    if (r instanceof Error) throw r;
    return r;
  }
}

const json = (status: number, body: unknown): RawResponse => ({
  status, headers: { 'content-type': 'application/json', date: 'Thu, 01 Jan 2026 00:00:00 GMT' }, body: Buffer.from(JSON.stringify(body)),
});
const leaseAnswer = (leaseId: string, seconds = 60, renewable = true) =>
  json(200, { lease_id: leaseId, renewable, lease_duration: seconds, data: { username: leaseId }, auth: null });
const tokenAnswer = (token: string, accessor: string, seconds = 60, orphan = false) =>
  json(200, { lease_id: '', renewable: false, lease_duration: 0, data: null, auth: { client_token: token, accessor, lease_duration: seconds, renewable: true, orphan } });

const req = (url: string, token = AUTO, method = 'GET', body = ''): CacheRequest => ({ method, url, headers: {}, body: Buffer.from(body), token });

function setup() {
  const s = new ManualScheduler(Date.UTC(2026, 0, 1), () => 0.5);
  const up = new Upstream(s);
  const cache = new LeaseCache({ transport: up, scheduler: s, log: createLogger('error', () => {}) });
  cache.registerAutoAuthToken(AUTO);
  let n = 0;
  /** Forwards that answer a new lease each time, counting calls. */
  const counting = (make: (i: number) => RawResponse) => {
    const f = async () => make(++n);
    return { f, calls: () => n };
  };
  return { s, up, cache, counting };
}

test('a leased answer for the managed token is cached: HIT with Age; other requests and tokens are not', async () => {
  const { s, cache, counting } = setup();
  const creds = counting((i) => leaseAnswer(`database/creds/r/${i}`));
  const first = await cache.send(req('/v1/database/creds/r'), creds.f);
  assert.equal(first.hit, false);
  await s.advance(2600);
  const second = await cache.send(req('/v1/database/creds/r'), creds.f);
  assert.equal(second.hit, true);
  assert.equal(second.ageSeconds, 3);
  assert.equal(second.body.toString(), first.body.toString());
  assert.equal(creds.calls(), 1);
  // Another query string, body, method or token is another request.
  for (const other of [req('/v1/database/creds/r?x=1'), req('/v1/database/creds/r', AUTO, 'POST'), req('/v1/database/creds/r', AUTO, 'GET', '{}')]) {
    assert.equal((await cache.send(other, creds.f)).hit, false);
  }
  assert.equal(creds.calls(), 4);
  // A token the agent does not manage: passed through, never stored.
  await cache.send(req('/v1/database/creds/r', 'hvs.other'), creds.f);
  assert.equal((await cache.send(req('/v1/database/creds/r', 'hvs.other'), creds.f)).hit, false);
  assert.equal(creds.calls(), 6);
  cache.close();
});

test('answers without a renewable lease, errors and non-JSON pass through', async () => {
  const { cache } = setup();
  const answers: RawResponse[] = [
    json(200, { lease_id: '', renewable: false, lease_duration: 2764800, data: { data: { a: 1 } } }), // KV
    leaseAnswer('pki/issue/x/1', 60, false),
    json(400, { errors: ['bad'] }),
    { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('{"lease_id":"a","renewable":true,"lease_duration":60}') },
    json(200, { auth: { client_token: 'hvs.x', accessor: 'a', lease_duration: 60, renewable: false, orphan: true } }),
  ];
  for (const [i, a] of answers.entries()) {
    let calls = 0;
    const f = async () => { calls++; return a; };
    await cache.send(req(`/v1/p${i}`), f);
    assert.equal((await cache.send(req(`/v1/p${i}`), f)).hit, false, `answer ${i}`);
    assert.equal(calls, 2, `answer ${i}`);
  }
  // Renewals made through the agent answer with a lease or token, but never a new one.
  for (const [url, a] of [['/v1/sys/leases/renew', leaseAnswer('database/creds/r/5')], ['/v1/auth/token/renew', tokenAnswer('hvs.o', 'o', 60, true)],
    ['/v1/auth/token/renew-self', tokenAnswer('hvs.p', 'p', 60, true)], ['/v1/sys/renew/database/creds/r/6', leaseAnswer('database/creds/r/6')]] as const) {
    await cache.send(req(url, AUTO, 'PUT'), async () => a);
    assert.equal((await cache.send(req(url, AUTO, 'PUT'), async () => a)).hit, false, url);
  }
  assert.equal(cache.size, 1); // the auto-auth registration only
  cache.close();
});

test('identical requests in flight share one upstream call', async () => {
  const { cache } = setup();
  let calls = 0;
  let release = () => {};
  const gate = new Promise<void>((r) => { release = r; });
  const f = async () => { calls++; await gate; return leaseAnswer(`database/creds/r/${calls}`); };
  const all = Promise.all([1, 2, 3].map(() => cache.send(req('/v1/database/creds/r'), f)));
  await new Promise((r) => setImmediate(r));
  release();
  const answers = await all;
  assert.equal(calls, 1);
  assert.deepEqual(answers.map((a) => a.hit), [false, true, true]);
  assert.equal(new Set(answers.map((a) => a.body.toString())).size, 1);
  cache.close();
});

test('leases are renewed through sys/leases/renew with the asking token, and evicted near their max TTL', async () => {
  const { s, up, cache, counting } = setup();
  const start = s.now();
  const maxAt = start + 200_000;
  up.renew = () => ({ lease_duration: Math.min(60, Math.floor((maxAt - s.now()) / 1000)), renewable: true });
  const creds = counting((i) => leaseAnswer(`database/creds/r/${i}`));
  await cache.send(req('/v1/database/creds/r'), creds.f);
  // 60 s lease, grace 9 s: the first renewal comes after 2/3 of 60 s + 3 s.
  await s.advance(42_999);
  assert.equal(up.calls.length, 0);
  await s.advance(1);
  assert.deepEqual(up.calls[0], { method: 'PUT', path: 'sys/leases/renew', token: AUTO, body: { lease_id: 'database/creds/r/1', increment: 0 }, at: start + 43_000 });
  assert.equal((await cache.send(req('/v1/database/creds/r'), creds.f)).hit, true);
  for (let i = 0; i < 200 && cache.size > 1; i++) await s.advance(1000);
  assert.equal(cache.size, 1, 'evicted before the max TTL');
  assert.ok(s.now() < maxAt, `evicted at +${s.now() - start} ms`);
  const renewals = up.calls.length;
  assert.ok(renewals >= 3, `renewals: ${renewals}`);
  assert.equal((await cache.send(req('/v1/database/creds/r'), creds.f)).hit, false);
  assert.equal(creds.calls(), 2);
  cache.close();
});

test('a renewal that keeps failing evicts the entry before its lease runs out', async () => {
  const { s, up, cache, counting } = setup();
  up.renew = () => new Error('permission denied');
  const creds = counting((i) => leaseAnswer(`database/creds/r/${i}`));
  await cache.send(req('/v1/database/creds/r'), creds.f);
  const start = s.now();
  for (let i = 0; i < 70 && cache.size > 1; i++) await s.advance(1000);
  assert.equal(cache.size, 1);
  assert.ok(s.now() - start < 60_000);
  assert.ok(up.calls.length >= 1);
  cache.close();
});

test('new tokens: child of a managed token or orphan; renewed with renew-self; revocations cascade', async () => {
  const { s, up, cache } = setup();
  const create = (token: string, accessor: string, orphan = false) => async () => tokenAnswer(token, accessor, 60, orphan);
  assert.equal((await cache.send(req('/v1/auth/token/create', AUTO, 'POST', '{"a":1}'), create('hvs.child', 'acc-child'))).hit, false);
  assert.equal((await cache.send(req('/v1/auth/token/create', AUTO, 'POST', '{"a":1}'), create('hvs.other', 'x'))).hit, true);
  // Not an orphan and its parent unmanaged: not cached.
  await cache.send(req('/v1/auth/token/create', 'hvs.unmanaged', 'POST'), create('hvs.u', 'u'));
  assert.equal(cache.store.byToken('hvs.u'), undefined);
  // An orphan (a login) is cached whoever asked.
  await cache.send(req('/v1/auth/approle/login', '', 'POST', '{"role_id":"r"}'), create('hvs.login', 'acc-login', true));
  assert.ok(cache.store.byToken('hvs.login'));
  // The child's own requests are cached under it; so is a grandchild.
  await cache.send(req('/v1/database/creds/r', 'hvs.child'), async () => leaseAnswer('database/creds/r/c1'));
  await cache.send(req('/v1/auth/token/create', 'hvs.child', 'POST'), create('hvs.grandchild', 'acc-gc'));
  await cache.send(req('/v1/database/creds/r', 'hvs.grandchild'), async () => leaseAnswer('database/creds/r/g1'));
  assert.equal(cache.size, 6);

  await s.advance(43_000);
  const renewSelf = up.calls.filter((c) => c.path === 'auth/token/renew-self').map((c) => c.token).sort();
  assert.deepEqual(renewSelf, ['hvs.child', 'hvs.grandchild', 'hvs.login']);
  assert.ok(up.calls.some((c) => c.path === 'sys/leases/renew' && c.token === 'hvs.grandchild'));

  // revoke-orphan of the child: it and its lease go; the grandchild stays, with its lease.
  const ok204: RawResponse = { status: 204, headers: {}, body: Buffer.alloc(0) };
  await cache.send(req('/v1/auth/token/revoke-orphan', 'hvs.root', 'POST', JSON.stringify({ token: 'hvs.child' })), async () => ok204);
  assert.equal(cache.store.byToken('hvs.child'), undefined);
  assert.equal(cache.store.byLease('database/creds/r/c1'), undefined);
  assert.ok(cache.store.byToken('hvs.grandchild'));
  assert.ok(cache.store.byLease('database/creds/r/g1'));
  // revoke-accessor of the grandchild: it and its lease go.
  await cache.send(req('/v1/auth/token/revoke-accessor', 'hvs.root', 'POST', JSON.stringify({ accessor: 'acc-gc' })), async () => ok204);
  assert.equal(cache.store.byLease('database/creds/r/g1'), undefined);
  assert.equal(cache.size, 2); // auto-auth + login
  // Evicted entries renew no more.
  const before = up.calls.filter((c) => c.token === 'hvs.child' || c.token === 'hvs.grandchild').length;
  await s.advance(120_000);
  assert.equal(up.calls.filter((c) => c.token === 'hvs.child' || c.token === 'hvs.grandchild').length, before);
  // A failed revocation (not 204) evicts nothing.
  await cache.send(req('/v1/auth/token/revoke', 'hvs.root', 'POST', JSON.stringify({ token: 'hvs.login' })), async () => json(403, { errors: ['permission denied'] }));
  assert.ok(cache.store.byToken('hvs.login'));
  await cache.send(req('/v1/auth/token/revoke-self', 'hvs.login', 'POST'), async () => ok204);
  assert.equal(cache.store.byToken('hvs.login'), undefined);
  cache.close();
});

test('lease revocations: by id (body or path) and by prefix; revoking the auto-auth token unregisters it', async () => {
  const { cache } = setup();
  for (const id of ['database/creds/a/1', 'database/creds/a/2', 'database/creds/b/1', 'aws/creds/x/1']) {
    await cache.send(req(`/v1/${id.split('/').slice(0, 3).join('/')}?n=${id}`), async () => leaseAnswer(id));
  }
  assert.equal(cache.size, 5);
  const ok204 = async (): Promise<RawResponse> => ({ status: 204, headers: {}, body: Buffer.alloc(0) });
  await cache.send(req('/v1/sys/leases/revoke', AUTO, 'PUT', JSON.stringify({ lease_id: 'database/creds/a/1' })), ok204);
  assert.equal(cache.store.byLease('database/creds/a/1'), undefined);
  await cache.send(req('/v1/sys/leases/revoke/aws/creds/x/1', AUTO, 'PUT'), ok204);
  assert.equal(cache.store.byLease('aws/creds/x/1'), undefined);
  await cache.send(req('/v1/sys/leases/revoke-prefix/database/creds/a', AUTO, 'PUT'), ok204);
  assert.equal(cache.store.byLease('database/creds/a/2'), undefined);
  assert.ok(cache.store.byLease('database/creds/b/1'));
  await cache.send(req('/v1/sys/leases/revoke-force/database/', AUTO, 'PUT'), ok204);
  assert.equal(cache.size, 1);
  // revoke-self with the auto-auth token: its registration goes too (it is dead).
  await cache.send(req('/v1/auth/token/revoke-self', AUTO, 'PUT'), ok204);
  assert.equal(cache.size, 0);
  await cache.send(req('/v1/database/creds/a'), async () => leaseAnswer('database/creds/a/9'));
  assert.equal(cache.size, 0);
  cache.close();
});

test('cache-clear: each type, namespaces, and Vault\'s validation', async () => {
  const { cache } = setup();
  const fill = async () => {
    await cache.send(req('/v1/database/creds/a'), async () => leaseAnswer('database/creds/a/1'));
    await cache.send(req('/v1/auth/token/create', AUTO, 'POST'), async () => tokenAnswer('hvs.c', 'acc-c'));
    await cache.send(req('/v1/database/creds/b', 'hvs.c'), async () => leaseAnswer('database/creds/b/1'));
  };
  const clear = (body: unknown, method = 'POST') => cacheClear(cache, method, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  await fill();
  assert.equal(cache.size, 4);
  assert.deepEqual(clear({ type: 'request_path', value: '/v1/database/creds', namespace: 'ns1/' }), { status: 200 });
  assert.equal(cache.size, 4);
  assert.deepEqual(clear({ type: 'request_path', value: '/v1/database/creds' }), { status: 200 });
  assert.equal(cache.size, 2);
  await fill();
  assert.deepEqual(clear({ type: 'lease', value: 'database/creds/b' }), { status: 200 }); // exact, not a prefix
  assert.equal(cache.size, 4);
  assert.deepEqual(clear({ type: 'lease', value: 'database/creds/b/1' }), { status: 200 });
  assert.equal(cache.size, 3);
  await fill();
  assert.deepEqual(clear({ Type: 'token_accessor', VALUE: 'acc-c' }), { status: 200 });
  assert.equal(cache.size, 2);
  await fill();
  assert.deepEqual(clear({ type: 'token', value: AUTO }), { status: 200 });
  assert.equal(cache.size, 1, 'everything under the auto-auth token went; it stays registered');
  await fill();
  assert.equal(cache.size, 4);
  assert.deepEqual(clear({ type: 'all' }, 'PUT'), { status: 200 });
  assert.equal(cache.size, 1);

  assert.deepEqual(clear(''), { status: 400, errors: ['failed to parse JSON input: empty JSON provided'] });
  assert.deepEqual(clear({}), { status: 400, errors: ['failed to parse clear input: no type provided'] });
  assert.deepEqual(clear([1]), { status: 400, errors: ['failed to parse JSON input: json: cannot unmarshal array into Go value of type cache.cacheClearRequest'] });
  assert.deepEqual(clear({ type: 'lease', value: 5 }), { status: 400, errors: ['failed to parse JSON input: json: cannot unmarshal number into Go struct field cacheClearRequest.value of type string'] });
  assert.deepEqual(clear({ type: 'bogus', value: 'x' }), { status: 400, errors: ['failed to clear cache: invalid type provided'] });
  for (const [type, what] of [['request_path', 'request path'], ['token', 'token'], ['token_accessor', 'token accessor'], ['lease', 'lease']]) {
    assert.deepEqual(clear({ type }), { status: 500, errors: [`failed to clear cache: ${what} not provided`] });
  }
  assert.equal(clear('{not json').status, 400);
  assert.deepEqual(clear({ type: 'all' }, 'GET'), { status: 200 });
  assert.deepEqual(cacheClear(undefined, 'POST', Buffer.from('{}')), { status: 200 });
  cache.close();
});

test('stopping the cache stops renewals and evicts nothing', async () => {
  const { s, up, cache } = setup();
  await cache.send(req('/v1/database/creds/a'), async () => leaseAnswer('database/creds/a/1'));
  cache.close();
  await s.advance(300_000);
  assert.equal(up.calls.length, 0);
  assert.equal(cache.size, 2);
  assert.equal(s.waiting, 0);
});

test('when a token\'s renewal ends, the leases and tokens made with it are evicted with it', async () => {
  const { s, up, cache } = setup();
  await cache.send(req('/v1/auth/token/create', AUTO, 'POST'), async () => tokenAnswer('hvs.c', 'acc-c', 30));
  await cache.send(req('/v1/database/creds/r', 'hvs.c'), async () => leaseAnswer('database/creds/r/1', 600));
  await cache.send(req('/v1/auth/token/create', 'hvs.c', 'POST'), async () => tokenAnswer('hvs.gc', 'acc-gc', 600));
  assert.equal(cache.size, 4);
  // The child's renewals fail (its max TTL, say); its 600 s lease and grandchild go with it.
  up.renew = (c) => (c.token === 'hvs.c' ? new Error('permission denied') : { lease_duration: 600, renewable: true, auth: { lease_duration: 600, renewable: true } });
  for (let i = 0; i < 40 && cache.size > 1; i++) await s.advance(1000);
  assert.equal(cache.size, 1);
  assert.ok(s.now() - Date.UTC(2026, 0, 1) < 30_000);
  const after = up.calls.length;
  await s.advance(600_000);
  assert.equal(up.calls.length, after, 'nothing evicted renews any more');
  assert.equal(s.waiting, 0);
  cache.close();
});
