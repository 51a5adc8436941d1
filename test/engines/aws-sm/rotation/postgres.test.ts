// Rotation of PostgreSQL users by the built-in rotators, on a throwaway cluster with
// scram-sha-256 auth (where a wrong password is refused): single user, alternating users,
// a failing step that stays pending and is refused a second rotation, labels and
// DescribeSecret's rotation members, and AWS's errors for rotation requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../../../src/util/clock.js';
import { startScramCluster, type ScramCluster } from '../../database/scram-cluster.js';
import { pgAdmin, pgLogin } from '../../database/helpers.js';
import { startAwsServer, type AwsTestServer } from '../setup.js';
import { createJson, fails, newToken, ok, rotate, valueAt } from './helpers.js';

const CANARY = `canary-pgrot-${randomBytes(4).toString('hex')}`;
const BAD_PASSWORD = '28P01';
const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2026, 11, 3, 9, 30));
let srv: AwsTestServer;
let db: ScramCluster;
const seen: string[] = []; // every password handed out, for the log canary

const admin = (sql: string, values: unknown[] = []) => pgAdmin(sql, values, db.port, db.password);
const uniq = (p: string) => `${p}_${randomBytes(3).toString('hex')}`;

before(async () => {
  db = await startScramCluster();
  srv = await startAwsServer({ clock });
});
after(async () => {
  await srv.close();
  await db.destroy();
  const log = srv.log();
  for (const secret of [CANARY, ...seen]) assert.equal(log.includes(secret), false, 'a password reached the server log');
});

const secretOf = (username: string, password: string, more: Record<string, unknown> = {}) =>
  ({ engine: 'postgres', host: '127.0.0.1', port: db.port, username, password, dbname: 'postgres', ...more });

test('single user: the new password logs in, the old one no longer does, AWSPREVIOUS keeps it', async () => {
  const user = uniq('single');
  const first = `${CANARY}-a`;
  await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${first}'`);
  const name = `rot/pg/${user}`;
  const created = await createJson(srv, name, secretOf(user, first));
  const token = await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:PostgreSQLSingleUser', RotationRules: { AutomaticallyAfterDays: 7 } });
  const now = await valueAt(srv, name);
  seen.push(now.password);
  assert.equal(now.versionId, token);
  assert.equal(now.username, user);
  assert.equal(now.password.length, 32);
  assert.doesNotMatch(now.password, /[:/@"'\\]/);
  assert.equal(await pgLogin(db.port, user, now.password), 'ok');
  assert.equal(await pgLogin(db.port, user, first), BAD_PASSWORD);
  const previous = await valueAt(srv, name, 'AWSPREVIOUS');
  assert.deepEqual([previous.versionId, previous.password], [created.versionId, first]);
  await fails(srv, 'GetSecretValue', { SecretId: name, VersionStage: 'AWSPENDING' }, 'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
  const d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.equal(d.RotationEnabled, true);
  assert.equal(d.RotationLambdaARN, 'lockbox:rotator:PostgreSQLSingleUser');
  assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 7 });
  assert.equal(d.LastRotatedDate, clock.now() / 1000);
  assert.equal(d.NextRotationDate, (Date.UTC(2026, 11, 3) + 7 * DAY) / 1000);
  assert.deepEqual(d.VersionIdsToStages, { [created.versionId]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  // A second rotation starts from the new credentials.
  await rotate(srv, name);
  const again = await valueAt(srv, name);
  seen.push(again.password);
  assert.equal(await pgLogin(db.port, user, again.password), 'ok');
  assert.equal(await pgLogin(db.port, user, now.password), BAD_PASSWORD);
  await admin(`DROP ROLE ${user}`);
});

test('alternating users: the previous user keeps working until the next rotation; the clone is made once', async () => {
  const user = uniq('multi');
  const master = uniq('master');
  const first = `${CANARY}-b`;
  const masterPassword = `${CANARY}-master`;
  await admin(`CREATE ROLE ${master} LOGIN CREATEROLE PASSWORD '${masterPassword}'`);
  await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${first}'`);
  await admin(`GRANT ${user} TO ${master} WITH ADMIN OPTION`);
  const masterSecret = await createJson(srv, `rot/pg/${master}`, secretOf(master, masterPassword));
  const name = `rot/pg/${user}`;
  await createJson(srv, name, secretOf(user, first, { masterarn: masterSecret.arn }));
  const arn = 'lockbox:rotator:PostgreSQLMultiUser';

  await rotate(srv, name, { RotationLambdaARN: arn });
  const one = await valueAt(srv, name);
  seen.push(one.password);
  assert.equal(one.username, `${user}_clone`);
  assert.equal(one.masterarn, masterSecret.arn);
  assert.equal(await pgLogin(db.port, one.username, one.password), 'ok');
  assert.equal(await pgLogin(db.port, user, first), 'ok', 'the previous user still logs in');
  // The clone has the user's privileges (membership of the user's role).
  const member = await admin('SELECT pg_has_role($1, $2, \'MEMBER\') AS m', [one.username, user]);
  assert.equal(member[0]!.m, true);
  const [{ oid }] = await admin('SELECT oid FROM pg_roles WHERE rolname = $1', [one.username]) as [{ oid: number }];

  await rotate(srv, name);
  const two = await valueAt(srv, name);
  seen.push(two.password);
  assert.equal(two.username, user);
  assert.equal(await pgLogin(db.port, user, two.password), 'ok');
  assert.equal(await pgLogin(db.port, user, first), BAD_PASSWORD);
  assert.equal(await pgLogin(db.port, one.username, one.password), 'ok', 'the previous (clone) user still logs in');

  await rotate(srv, name);
  const three = await valueAt(srv, name);
  seen.push(three.password);
  assert.equal(three.username, `${user}_clone`);
  assert.equal(await pgLogin(db.port, three.username, three.password), 'ok');
  assert.equal(await pgLogin(db.port, one.username, one.password), BAD_PASSWORD);
  const [{ oid: again }] = await admin('SELECT oid FROM pg_roles WHERE rolname = $1', [three.username]) as [{ oid: number }];
  assert.equal(again, oid, 'the clone was created once');
  await admin(`DROP ROLE ${user}_clone`);
  await admin(`DROP ROLE ${user}`);
  await admin(`DROP ROLE ${master}`);
});

test('a failing step stays pending with its token, blocks a new rotation, and completes when retried', async () => {
  const user = uniq('retry');
  const master = uniq('rmaster');
  const first = `${CANARY}-c`;
  await admin(`CREATE ROLE ${master} LOGIN SUPERUSER PASSWORD '${CANARY}-m2'`);
  await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${first}'`);
  const masterSecret = await createJson(srv, `rot/pg/${master}`, secretOf(master, `${CANARY}-m2`));
  const name = `rot/pg/${user}`;
  const created = await createJson(srv, name, secretOf(user, first, { masterarn: masterSecret.arn }));
  // The clone exists but cannot log in: setSecret (as the master) works, testSecret fails.
  await admin(`CREATE ROLE ${user}_clone NOLOGIN`);
  const start = clock.now();
  const token = await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:PostgreSQLMultiUser', RotationRules: { ScheduleExpression: 'rate(10 days)' } });
  clock.advance(60_000);
  const d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.deepEqual(d.VersionIdsToStages, { [created.versionId]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  assert.equal(d.NextRotationDate, start / 1000, 'a failing rotation shows a NextRotationDate in the past');
  assert.ok(d.NextRotationDate < clock.now() / 1000);
  const pending = await valueAt(srv, name, 'AWSPENDING');
  seen.push(pending.password);
  assert.equal(pending.versionId, token);
  assert.equal((await valueAt(srv, name)).password, first, 'AWSCURRENT is unchanged');
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken() }, 'InvalidRequestException',
    "A previous rotation isn't complete. That rotation will be reattempted.");
  await admin(`ALTER ROLE ${user}_clone LOGIN`);
  // The same token again retries the rotation under way: same version, same password.
  assert.equal((await ok(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: token })).VersionId, token);
  const now = await valueAt(srv, name);
  assert.deepEqual([now.versionId, now.password], [token, pending.password]);
  assert.equal(await pgLogin(db.port, `${user}_clone`, now.password), 'ok');
  const done = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.deepEqual(done.VersionIdsToStages, { [created.versionId]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  assert.deepEqual(done.RotationRules, { AutomaticallyAfterDays: 10, ScheduleExpression: 'rate(10 days)' });
  assert.equal(done.NextRotationDate, (Date.UTC(2026, 11, 3) + 10 * DAY) / 1000);
  await admin(`DROP ROLE ${user}_clone`);
  await admin(`DROP ROLE ${user}`);
  await admin(`DROP ROLE ${master}`);
});

test('CancelRotateSecret turns rotation off and returns the pending version, whose label stays', async () => {
  const user = uniq('cancel');
  await admin(`CREATE ROLE ${user} NOLOGIN PASSWORD '${CANARY}-d'`);
  const name = `rot/pg/${user}`;
  await createJson(srv, name, secretOf(user, `${CANARY}-d`));
  const token = await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:PostgreSQLSingleUser', RotationRules: { ScheduleExpression: 'cron(0 4 ? * MON *)' } });
  const cancelled = await ok(srv, 'CancelRotateSecret', { SecretId: name });
  assert.equal(cancelled.VersionId, token);
  const d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.equal(d.RotationEnabled, false);
  assert.equal('NextRotationDate' in d, false);
  assert.deepEqual(d.VersionIdsToStages[token], ['AWSPENDING']);
  // The stale AWSPENDING must be removed before another rotation.
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken() }, 'InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
  await ok(srv, 'UpdateSecretVersionStage', { SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: token });
  await admin(`ALTER ROLE ${user} LOGIN`);
  await rotate(srv, name);
  const after = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.equal(after.RotationEnabled, true);
  // Monday 7 December 2026, 04:00 UTC is the first window after Thursday 3 December.
  assert.equal(after.NextRotationDate, Date.UTC(2026, 11, 7, 4) / 1000);
  await admin(`DROP ROLE ${user}`);
});

test('RotateImmediately false only tests the current credentials and creates no version', async () => {
  const user = uniq('test');
  await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${CANARY}-e'`);
  const name = `rot/pg/${user}`;
  const created = await createJson(srv, name, secretOf(user, `${CANARY}-e`));
  await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:PostgreSQLSingleUser', RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 2 } });
  const d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.deepEqual(d.VersionIdsToStages, { [created.versionId]: ['AWSCURRENT'] });
  assert.equal(d.RotationEnabled, true);
  assert.equal('LastRotatedDate' in d, false);
  assert.equal(d.NextRotationDate, (Date.UTC(2026, 11, 3) + 2 * DAY) / 1000);
  assert.equal(await pgLogin(db.port, user, `${CANARY}-e`), 'ok');
  // A failing test is the answer; nothing is left pending.
  await admin(`ALTER ROLE ${user} NOLOGIN`);
  const failed = await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken(), RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 9 } },
    'InvalidRequestException', /^The rotation test failed: .*testSecret/);
  assert.equal(JSON.stringify(failed).includes(CANARY), false, 'the error names no password');
  // The refused call changed nothing: the schedule is the one before it.
  const after = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.deepEqual(after.VersionIdsToStages, { [created.versionId]: ['AWSCURRENT'] });
  assert.deepEqual([after.RotationRules, after.NextRotationDate], [d.RotationRules, d.NextRotationDate]);
  await admin(`DROP ROLE ${user}`);
});

test('AWS\'s errors for rotation requests', async () => {
  const name = `rot/pg/${uniq('errors')}`;
  await createJson(srv, name, secretOf('nobody', 'x'));
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken() }, 'InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken(), RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:rotate' },
    'InvalidParameterException', /lockbox:rotator:PostgreSQLSingleUser, lockbox:rotator:PostgreSQLMultiUser, lockbox:rotator:MySQLSingleUser, lockbox:rotator:MySQLMultiUser, lockbox:rotator:MariaDBSingleUser, lockbox:rotator:MariaDBMultiUser/);
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken(), RotationLambdaARN: 'lockbox:webhook:http://example.com/rotate' }, 'InvalidParameterException', /not allowed/);
  await fails(srv, 'RotateSecret', { SecretId: name }, 'InvalidParameterException', 'You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  await fails(srv, 'RotateSecret', { SecretId: 'rot/pg/missing', ClientRequestToken: newToken(), RotationLambdaARN: 'lockbox:rotator:PostgreSQLSingleUser' }, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  const arn = 'lockbox:rotator:PostgreSQLSingleUser';
  const rules = (r: unknown) => ({ SecretId: name, ClientRequestToken: newToken(), RotationLambdaARN: arn, RotateImmediately: false, RotationRules: r });
  await fails(srv, 'RotateSecret', rules({ AutomaticallyAfterDays: 0 }), 'ValidationException', /greater than or equal to 1/);
  await fails(srv, 'RotateSecret', rules({ AutomaticallyAfterDays: 1001 }), 'ValidationException', /less than or equal to 1000/);
  await fails(srv, 'RotateSecret', rules({ AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(3 days)' }), 'InvalidParameterException', 'You cannot specify both rotation frequency and schedule expression together.');
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'rate(3 hours)' }), 'InvalidParameterException', /4 hours to 999 days/);
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'cron(30 4 * * ? *)' }), 'InvalidParameterException', /not a valid cron/);
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'cron(0 20 * * ? *)', Duration: '5h' }), 'InvalidParameterException', /next UTC day/);
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'rate(6 hours)', Duration: '7h' }), 'InvalidParameterException', /next rotation window/);
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'rate(6 hours)', Duration: '1d' }), 'ValidationException', /regular expression pattern/);
  await fails(srv, 'RotateSecret', rules({ ScheduleExpression: 'every day' }), 'InvalidParameterException', /rate\(\) or cron\(\)/);
  await ok(srv, 'DeleteSecret', { SecretId: name });
  await fails(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: newToken(), RotationLambdaARN: arn }, 'InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
  await fails(srv, 'CancelRotateSecret', { SecretId: name }, 'InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
});

test('the periodic hook rotates when the window opens; a PutSecretValue by hand counts as a rotation', async () => {
  const user = uniq('sched');
  const first = `${CANARY}-f`;
  await admin(`CREATE ROLE ${user} LOGIN PASSWORD '${first}'`);
  const name = `rot/pg/${user}`;
  await createJson(srv, name, secretOf(user, first));
  await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:PostgreSQLSingleUser', RotationRules: { AutomaticallyAfterDays: 2 } });
  const rotated = await valueAt(srv, name);
  seen.push(rotated.password);
  // A value written by hand: the next rotation is two days from this write's day.
  clock.advance(DAY);
  const manual = await ok(srv, 'PutSecretValue', { SecretId: name, SecretString: JSON.stringify(secretOf(user, rotated.password)), ClientRequestToken: newToken() });
  const startOfToday = Math.floor(clock.now() / DAY) * DAY;
  let d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.equal(d.NextRotationDate, (startOfToday + 2 * DAY) / 1000);
  assert.equal(d.LastRotatedDate, clock.now() / 1000);
  // Not due yet: nothing happens; once the window opens the scheduler rotates.
  clock.advance(DAY);
  await srv.core.runPeriodicWork();
  assert.equal((await valueAt(srv, name)).versionId, manual.VersionId);
  clock.advance(DAY);
  await srv.core.runPeriodicWork();
  const scheduled = await valueAt(srv, name);
  seen.push(scheduled.password);
  assert.notEqual(scheduled.versionId, manual.VersionId);
  assert.equal(await pgLogin(db.port, user, scheduled.password), 'ok');
  assert.equal(await pgLogin(db.port, user, rotated.password), BAD_PASSWORD);
  d = await ok(srv, 'DescribeSecret', { SecretId: name });
  assert.equal(d.NextRotationDate, (startOfToday + 4 * DAY) / 1000);
  assert.deepEqual(d.VersionIdsToStages, { [manual.VersionId]: ['AWSPREVIOUS'], [scheduled.versionId]: ['AWSCURRENT'] });
  await admin(`DROP ROLE ${user}`);
});
