// Leases end to end: registration on a leased read, lookup, renew within max TTL, revoke,
// revoke-prefix, token expiry taking its leases along, restart with leases that fell due
// while down, and a failing revocation retried with backoff. Time moves by a manual clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/util/clock.js';
import { retryDelayMs } from '../../../src/core/expiration/manager.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { leaseEngine } from '../../helpers/lease-engine.js';

const clock = new ManualClock();
const engine = leaseEngine();
let srv: TestServer;

before(async () => {
  srv = await startTestServer({ clock, extraEngines: engine.factories });
  assert.equal((await srv.api('POST', 'sys/mounts/db', { type: 'leasetest', config: { max_lease_ttl: '2h' } })).status, 204);
});
after(() => srv.close());

const expire = () => srv.core.unsealed.expiration.tick();

test('a leased read answers lease_id, lease_duration and renewable; lookup shows the lease', async () => {
  const r = await srv.api('GET', 'db/creds/app?ttl=600');
  assert.equal(r.status, 200);
  assert.match(r.body.lease_id, /^db\/creds\/app\/[A-Za-z0-9]{24}$/);
  assert.equal(r.body.lease_duration, 600);
  assert.equal(r.body.renewable, true);
  const look = await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.body.lease_id });
  assert.equal(look.body.data.id, r.body.lease_id);
  assert.equal(look.body.data.ttl, 600);
  assert.equal(look.body.data.last_renewal, null);
  assert.equal(look.body.data.expire_time, new Date(clock.now() + 600_000).toISOString());
  const list = await srv.api('LIST', 'sys/leases/lookup/db/creds/app/');
  assert.ok(list.body.data.keys.includes(r.body.lease_id.split('/').pop()));
});

test('the mount default TTL applies when the engine names none; max TTL caps it', async () => {
  const r = await srv.api('GET', 'db/creds/long?ttl=36000');
  assert.equal(r.body.lease_duration, 7200);
});

test('renew extends up to the max TTL, then warns and caps; increment 0 keeps the lease\'s TTL', async () => {
  const { lease_id } = (await srv.api('GET', 'db/creds/renew?ttl=600')).body;
  clock.advance(300_000);
  let r = await srv.api('PUT', 'sys/leases/renew', { lease_id, increment: 0 });
  assert.deepEqual([r.status, r.body.lease_id, r.body.lease_duration, r.body.renewable], [200, lease_id, 600, true]);
  r = await srv.api('PUT', 'sys/leases/renew', { lease_id, increment: '3h' });
  assert.equal(r.body.lease_duration, 7200 - 300);
  assert.match(r.body.warnings[0], /capped/);
  r = await srv.api('PUT', 'sys/renew', { lease_id, increment: 60 });
  assert.equal(r.body.lease_duration, 60);
  const unknown = await srv.api('PUT', 'sys/leases/renew', { lease_id: 'db/creds/none/x' });
  assert.equal(unknown.status, 400);
  // Vault: an empty lease id is refused by name on lookup, renew and revoke alike.
  for (const path of ['sys/leases/lookup', 'sys/leases/renew', 'sys/leases/revoke']) {
    const empty = await srv.api('PUT', path, {});
    assert.deepEqual([empty.status, empty.body.errors], [400, ['lease_id must be specified']], path);
  }
});

test('a lease past its expiry that the expiry pass has not revoked yet is refused renewal as expired', async () => {
  const { lease_id } = (await srv.api('GET', 'db/creds/late?ttl=60')).body;
  clock.advance(61_000);
  const r = await srv.api('PUT', 'sys/leases/renew', { lease_id, increment: 60 });
  assert.deepEqual([r.status, r.body.errors], [400, ['lease expired']]);
  await expire();
  const gone = await srv.api('PUT', 'sys/leases/renew', { lease_id, increment: 60 });
  assert.deepEqual([gone.status, gone.body.errors], [400, ['lease not found']]);
});

test('revoke and revoke-prefix call the engine and forget the leases', async () => {
  const a = (await srv.api('GET', 'db/creds/gone')).body;
  const b = (await srv.api('GET', 'db/creds/pre')).body;
  const c = (await srv.api('GET', 'db/creds/pre')).body;
  assert.equal((await srv.api('PUT', 'sys/leases/revoke', { lease_id: a.lease_id })).status, 204);
  assert.ok(engine.state.revoked.includes(a.data.username));
  assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: a.lease_id })).status, 400);
  assert.equal((await srv.api('PUT', 'sys/leases/revoke-prefix/db/creds/pre')).status, 204);
  assert.ok(engine.state.revoked.includes(b.data.username) && engine.state.revoked.includes(c.data.username));
});

test('a lease is revoked when it expires', async () => {
  const r = (await srv.api('GET', 'db/creds/ttl?ttl=30')).body;
  clock.advance(31_000);
  await expire();
  assert.ok(engine.state.revoked.includes(r.data.username));
});

test('an expiring token is revoked with its children and every lease it created', async () => {
  const parent = (await srv.api('POST', 'auth/token/create', { ttl: '10m' })).body.auth.client_token;
  srv.useToken(parent);
  const lease = (await srv.api('GET', 'db/creds/owned?ttl=3600')).body;
  const child = (await srv.api('POST', 'auth/token/create', { ttl: '1h' })).body.auth.client_token;
  srv.useToken(srv.rootToken);
  clock.advance(11 * 60_000);
  await expire();
  assert.ok(engine.state.revoked.includes(lease.data.username));
  // Vault answers a lookup of a token that no longer exists with 403 "bad token".
  assert.equal((await srv.api('POST', 'auth/token/lookup', { token: child })).status, 403);
});

test('a failing revocation stays recorded, is retried with backoff, and finally succeeds', async () => {
  const r = (await srv.api('GET', 'db/creds/flaky?ttl=10')).body;
  engine.state.failRevocations = true;
  clock.advance(11_000);
  await expire();
  assert.ok(!engine.state.revoked.includes(r.data.username));
  assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.lease_id })).status, 200);
  clock.advance(retryDelayMs(1));
  await expire();
  assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.lease_id })).status, 200, 'still failing, still recorded');
  engine.state.failRevocations = false;
  clock.advance(retryDelayMs(2));
  await expire();
  assert.ok(engine.state.revoked.includes(r.data.username));
  assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.lease_id })).status, 400);
});

test('revoke-force forgets leases whose revocation fails; revoke-prefix reports the failure', async () => {
  const r = (await srv.api('GET', 'db/creds/stuck')).body;
  engine.state.failRevocations = true;
  try {
    assert.equal((await srv.api('PUT', 'sys/leases/revoke-prefix/db/creds/stuck')).status, 500);
    assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.lease_id })).status, 200);
    assert.equal((await srv.api('PUT', 'sys/leases/revoke-force/db/creds/stuck')).status, 204);
    assert.equal((await srv.api('PUT', 'sys/leases/lookup', { lease_id: r.lease_id })).status, 400);
  } finally {
    engine.state.failRevocations = false;
  }
});

test('leases that fell due while the server was down are revoked after restart and unseal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-lease-'));
  const own = leaseEngine();
  const restartClock = new ManualClock();
  try {
    const storage = { type: 'sqlite' as const, path: join(dir, 'db.sqlite') };
    const first = await startTestServer({ dev: false, storage, clock: restartClock, extraEngines: own.factories });
    const init = await first.core.initialize(1, 1);
    await first.core.seal.unseal(init.keys[0]!);
    first.useToken(init.rootToken);
    await first.api('POST', 'sys/mounts/db', { type: 'leasetest' });
    const lease = (await first.api('GET', 'db/creds/down?ttl=60')).body;
    await first.close();

    restartClock.advance(120_000);
    const second = await startTestServer({ dev: false, storage, clock: restartClock, extraEngines: own.factories });
    await second.core.seal.unseal(init.keys[0]!);
    await second.core.unsealed.expiration.tick();
    assert.ok(own.state.revoked.includes(lease.data.username));
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
