// On a throwaway PostgreSQL cluster with scram-sha-256 auth, where a wrong password is refused:
// revoked users and replaced passwords stop working, outages are ridden out, and a rotation
// interrupted between "password recorded" and "password set" is repaired at unseal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, closeDatabaseServer, expectStatus, pgAdmin, pgLogin, pgRoleExists } from './helpers.js';
import { startClusterEngine, type ScramCluster } from './scram-cluster.js';

let srv: TestServer;
let db: ScramCluster;
const clock = new ManualClock(Date.now());
const ROOT = 'lockbox_root';
const ROOT_PASSWORD = `${CANARY}-root`;
const BAD_PASSWORD = '28P01';

const admin = (sql: string, values: unknown[] = []) => pgAdmin(sql, values, db.port, db.password);

before(async () => {
  ({ db, srv } = await startClusterEngine(ROOT, ROOT_PASSWORD, { server: { clock } }));
});
after(async () => {
  await closeDatabaseServer(srv);
  await db.destroy();
});

const issue = async () => {
  const r = await srv.api('GET', 'database/creds/app');
  expectStatus(r, 200);
  return { leaseId: r.body.lease_id as string, ...(r.body.data as { username: string; password: string }) };
};

test('a generated user logs in with its password, and not after revocation', async () => {
  const c = await issue();
  assert.equal(await pgLogin(db.port, c.username, c.password), 'ok');
  assert.equal(await pgLogin(db.port, c.username, 'not-the-password'), BAD_PASSWORD);
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: c.leaseId }), 204);
  assert.equal(await pgLogin(db.port, c.username, c.password), BAD_PASSWORD);
  assert.equal(await pgRoleExists(c.username, db.port, db.password), false);
});

test('with the database down, a revocation is kept and completes once it is back', async () => {
  const c = await issue();
  await db.stop();
  try {
    expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: c.leaseId }), 500);
    expectStatus(await srv.api('PUT', 'sys/leases/lookup', { lease_id: c.leaseId }), 200);
  } finally {
    await db.start();
  }
  assert.equal(await pgLogin(db.port, c.username, c.password), 'ok');
  clock.advance(2_000);
  await srv.core.unsealed.expiration.tick();
  assert.equal(await pgLogin(db.port, c.username, c.password), BAD_PASSWORD);
  expectStatus(await srv.api('PUT', 'sys/leases/lookup', { lease_id: c.leaseId }), 400);
});

/** Creates a database user with a known password and a static role over it. */
async function staticRole(name: string, period: string | Record<string, unknown> = '1h') {
  await admin(`CREATE ROLE ${name} LOGIN PASSWORD 'before-${name}'`);
  const schedule = typeof period === 'string' ? { rotation_period: period } : period;
  expectStatus(await srv.api('POST', `database/static-roles/${name}`, { db_name: 'pg', username: name, ...schedule }), 204);
  assert.equal(await pgLogin(db.port, name, `before-${name}`), BAD_PASSWORD);
  return (await srv.api('GET', `database/static-creds/${name}`)).body.data as { password: string; ttl: number; last_vault_rotation: string };
}

test('rotate-role makes the old password fail and the new one work', async () => {
  const first = await staticRole('svc_rotate');
  assert.equal(await pgLogin(db.port, 'svc_rotate', first.password), 'ok');
  expectStatus(await srv.api('POST', 'database/rotate-role/svc_rotate'), 204);
  const second = (await srv.api('GET', 'database/static-creds/svc_rotate')).body.data;
  assert.equal(await pgLogin(db.port, 'svc_rotate', first.password), BAD_PASSWORD);
  assert.equal(await pgLogin(db.port, 'svc_rotate', second.password), 'ok');
});

test('the scheduler rotates a static role when its period has passed, and not before', async () => {
  const first = await staticRole('svc_sched', '10m');
  clock.advance(5 * 60_000);
  await srv.core.runPeriodicWork();
  assert.equal((await srv.api('GET', 'database/static-creds/svc_sched')).body.data.password, first.password);
  clock.advance(5 * 60_000 + 1_000);
  await srv.core.runPeriodicWork();
  const next = (await srv.api('GET', 'database/static-creds/svc_sched')).body.data;
  assert.notEqual(next.password, first.password);
  assert.equal(next.ttl, 600);
  assert.equal(await pgLogin(db.port, 'svc_sched', first.password), BAD_PASSWORD);
  assert.equal(await pgLogin(db.port, 'svc_sched', next.password), 'ok');
});

test('rotation_schedule rotates at the scheduled time, and only inside its window', async () => {
  const HOUR = 3_600_000;
  // Move to 00:10 UTC so the schedule's times are easy to reason about.
  clock.advance(24 * HOUR - (clock.now() % (24 * HOUR)) + 10 * 60_000);
  const first = await staticRole('svc_cron', { rotation_schedule: '0 3 * * *', rotation_window: '1h' });
  const role = (await srv.api('GET', 'database/static-roles/svc_cron')).body.data;
  assert.deepEqual([role.rotation_schedule, role.rotation_window, role.rotation_period], ['0 3 * * *', 3600, undefined]);
  const creds = (await srv.api('GET', 'database/static-creds/svc_cron')).body.data;
  assert.equal(creds.ttl, 2 * 3600 + 50 * 60); // until 03:00
  clock.advance(2 * HOUR + 40 * 60_000); // 02:50: not yet
  await srv.core.runPeriodicWork();
  assert.equal((await srv.api('GET', 'database/static-creds/svc_cron')).body.data.password, first.password);
  clock.advance(20 * 60_000); // 03:10: inside the window
  await srv.core.runPeriodicWork();
  const second = (await srv.api('GET', 'database/static-creds/svc_cron')).body.data;
  assert.notEqual(second.password, first.password);
  assert.equal(await pgLogin(db.port, 'svc_cron', second.password), 'ok');
  // The next day's window is missed entirely (the server was "down" 02:00–05:00): no rotation
  // at 05:00; the one after happens at 03:xx the day after.
  clock.advance(25 * HOUR + 50 * 60_000); // next day 05:00
  await srv.core.runPeriodicWork();
  assert.equal((await srv.api('GET', 'database/static-creds/svc_cron')).body.data.password, second.password);
  clock.advance(22 * HOUR + 30 * 60_000); // the day after, 03:30
  await srv.core.runPeriodicWork();
  assert.notEqual((await srv.api('GET', 'database/static-creds/svc_cron')).body.data.password, second.password);
});

test('a rotation that fails keeps the old password working and is retried', async () => {
  const first = await staticRole('svc_retry');
  await db.stop();
  try {
    expectStatus(await srv.api('POST', 'database/rotate-role/svc_retry'), 500);
  } finally {
    await db.start();
  }
  assert.equal((await srv.api('GET', 'database/static-creds/svc_retry')).body.data.password, first.password);
  assert.equal(await pgLogin(db.port, 'svc_retry', first.password), 'ok');
  clock.advance(6_000);
  await srv.core.runPeriodicWork();
  const next = (await srv.api('GET', 'database/static-creds/svc_retry')).body.data;
  assert.notEqual(next.password, first.password);
  assert.equal(await pgLogin(db.port, 'svc_retry', next.password), 'ok');
  assert.equal(await pgLogin(db.port, 'svc_retry', first.password), BAD_PASSWORD);
});

test('a crash between "password recorded" and "password set" is repaired at the next unseal', async () => {
  const first = await staticRole('svc_crash');
  // The state such a crash leaves: the record holds a pending password the database has
  // (or has not) received. Here the database got it, so only the pending one logs in.
  const { mounts } = srv.core.unsealed;
  const view = mounts.viewOf(mounts.get('mounts', 'database/')!);
  const record = JSON.parse((await view.get('static-role/svc_crash'))!.toString());
  const pending = 'Pending-password-1234';
  await view.put('static-role/svc_crash', Buffer.from(JSON.stringify({ ...record, pending_password: pending })));
  await admin(`ALTER ROLE svc_crash PASSWORD '${pending}'`);
  assert.equal((await srv.api('GET', 'database/static-creds/svc_crash')).body.data.password, first.password);
  await srv.core.seal.seal();
  await srv.core.seal.unseal(Buffer.from(srv.unsealKey, 'base64'));
  await srv.core.runPeriodicWork();
  const repaired = (await srv.api('GET', 'database/static-creds/svc_crash')).body.data;
  assert.equal(repaired.password, pending);
  assert.equal(await pgLogin(db.port, 'svc_crash', pending), 'ok');
});

test('rotate-root: the old root password fails, and the engine keeps issuing users', async () => {
  expectStatus(await srv.api('POST', 'database/rotate-root/pg'), 204);
  assert.equal(await pgLogin(db.port, ROOT, ROOT_PASSWORD), BAD_PASSWORD);
  const c = await issue();
  assert.equal(await pgLogin(db.port, c.username, c.password), 'ok');
  expectStatus(await srv.api('PUT', 'sys/leases/revoke', { lease_id: c.leaseId }), 204);
  assert.equal(await pgRoleExists(c.username, db.port, db.password), false);
});
