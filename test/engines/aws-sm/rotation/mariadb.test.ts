// Rotation of MariaDB users by the built-in rotators on the machine's MariaDB: single user (the
// old password is refused afterwards) and alternating users (the clone gets the user's grants
// and TLS requirement once, and the previous user keeps working until the next rotation).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mysqlAdmin, mysqlLogin } from '../../database/helpers.js';
import { startAwsServer, type AwsTestServer } from '../setup.js';
import { createJson, ok, rotate, valueAt } from './helpers.js';

const CANARY = `canary-myrot-${randomBytes(4).toString('hex')}`;
const DENIED = 'ER_ACCESS_DENIED_ERROR';
let srv: AwsTestServer;
const users: string[] = [];
const seen: string[] = [];
const uniq = (p: string) => {
  const name = `${p}_${randomBytes(3).toString('hex')}`;
  users.push(name, `${name}_clone`);
  return name;
};

before(async () => { srv = await startAwsServer(); });
after(async () => {
  for (const u of users) await mysqlAdmin('DROP USER IF EXISTS ?@?', [u, '%']);
  await srv.close();
  const log = srv.log();
  for (const secret of [CANARY, ...seen]) assert.equal(log.includes(secret), false, 'a password reached the server log');
});

const secretOf = (engine: string, username: string, password: string, more: Record<string, unknown> = {}) =>
  ({ engine, host: '127.0.0.1', port: 3306, username, password, ...more });

for (const [engine, kind] of [['mariadb', 'MariaDB'], ['mysql', 'MySQL']] as const) {
  test(`${kind}SingleUser: the new password logs in and the old one is refused`, async () => {
    const user = uniq(`s${engine.slice(0, 2)}`);
    const first = `${CANARY}-${engine}`;
    await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', first]);
    const name = `rot/my/${user}`;
    const created = await createJson(srv, name, secretOf(engine, user, first));
    const token = await rotate(srv, name, { RotationLambdaARN: `lockbox:rotator:${kind}SingleUser` });
    const now = await valueAt(srv, name);
    seen.push(now.password);
    assert.equal(now.versionId, token);
    assert.equal(await mysqlLogin(user, now.password), 'ok');
    assert.equal(await mysqlLogin(user, first), DENIED);
    assert.equal((await valueAt(srv, name, 'AWSPREVIOUS')).versionId, created.versionId);
  });
}

test('MariaDBMultiUser: the clone gets the grants and TLS requirement once; the previous user works until the next rotation', async () => {
  const user = uniq('mu');
  const master = uniq('mm');
  const first = `${CANARY}-multi`;
  const masterPassword = `${CANARY}-master`;
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [master, '%', masterPassword]);
  await mysqlAdmin('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master, '%']);
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', first]);
  await mysqlAdmin('GRANT SELECT, INSERT ON test.* TO ?@?', [user, '%']);
  const masterSecret = await createJson(srv, `rot/my/${master}`, secretOf('mariadb', master, masterPassword));
  const name = `rot/my/${user}`;
  await createJson(srv, name, secretOf('mariadb', user, first, { masterarn: masterSecret.arn }));

  await rotate(srv, name, { RotationLambdaARN: 'lockbox:rotator:MariaDBMultiUser', RotationRules: { ScheduleExpression: 'cron(0 2/6 * * ? *)' } });
  const one = await valueAt(srv, name);
  seen.push(one.password);
  assert.equal(one.username, `${user}_clone`);
  assert.equal(await mysqlLogin(one.username, one.password), 'ok');
  assert.equal(await mysqlLogin(user, first), 'ok', 'the previous user still logs in');
  const grants = (await mysqlAdmin('SHOW GRANTS FOR ?@?', [one.username, '%'])).map((r) => String(Object.values(r)[0]));
  assert.ok(grants.some((g) => /GRANT SELECT, INSERT ON `test`\.\* TO `.*_clone`@`%`/.test(g)), grants.join('\n'));
  assert.equal(grants.some((g) => g.includes(CANARY)), false);

  await rotate(srv, name);
  const two = await valueAt(srv, name);
  seen.push(two.password);
  assert.equal(two.username, user);
  assert.equal(await mysqlLogin(user, two.password), 'ok');
  assert.equal(await mysqlLogin(user, first), DENIED);
  assert.equal(await mysqlLogin(one.username, one.password), 'ok', 'the previous (clone) user still logs in');
  // A clone created again would have lost this marker grant; it survives, so it was made once.
  await mysqlAdmin('GRANT UPDATE ON test.* TO ?@?', [one.username, '%']);
  await rotate(srv, name);
  const three = await valueAt(srv, name);
  seen.push(three.password);
  assert.equal(await mysqlLogin(three.username, three.password), 'ok');
  assert.equal(await mysqlLogin(one.username, one.password), DENIED);
  const after = (await mysqlAdmin('SHOW GRANTS FOR ?@?', [three.username, '%'])).map((r) => String(Object.values(r)[0]));
  assert.ok(after.some((g) => g.includes('UPDATE')), after.join('\n'));
});

test('MariaDBMultiUser copies a TLS requirement to the clone', async () => {
  const user = uniq('mt');
  const master = uniq('mtm');
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ?', [master, '%', `${CANARY}-m`]);
  await mysqlAdmin('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master, '%']);
  await mysqlAdmin('CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL', [user, '%', `${CANARY}-t`]);
  const masterSecret = await createJson(srv, `rot/my/${master}`, secretOf('mariadb', master, `${CANARY}-m`));
  const name = `rot/my/${user}`;
  await createJson(srv, name, secretOf('mariadb', user, `${CANARY}-t`, { masterarn: masterSecret.arn }));
  // The user cannot log in without TLS here, so testSecret fails; setSecret has made the clone.
  await ok(srv, 'RotateSecret', { SecretId: name, ClientRequestToken: `${randomBytes(16).toString('hex')}`, RotationLambdaARN: 'lockbox:rotator:MariaDBMultiUser' });
  const rows = await mysqlAdmin('SELECT ssl_type FROM mysql.user WHERE User = ? AND Host = ?', [`${user}_clone`, '%']);
  assert.equal(String(rows[0]?.ssl_type), 'ANY');
});
