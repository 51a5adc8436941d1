// User lockout: failed logins lock a user or role-id, the lock answers "permission denied"
// even to the right password, sys/locked-users lists it, unlock and tune settings apply.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { call } from '../helpers.js';

const clock = new ManualClock();
let srv: TestServer;
let accessor = '';

before(async () => {
  srv = await startTestServer({ clock });
  await srv.api('POST', 'sys/auth/userpass', { type: 'userpass' });
  await srv.api('POST', 'sys/auth/approle', { type: 'approle' });
  accessor = (await srv.api('GET', 'sys/auth')).body.data['userpass/'].accessor;
  for (const u of ['amy', 'ben', 'cat']) await srv.api('POST', `auth/userpass/users/${u}`, { password: 'right' });
});
after(() => srv.close());

const login = (user: string, password: string) => call(srv, '', 'POST', `auth/userpass/login/${user}`, { password });

test('five failures lock the user for 15 minutes; the right password is refused meanwhile', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await login('amy', 'wrong')).status, 400);
  const locked = await login('amy', 'right');
  assert.equal(locked.status, 403);
  assert.deepEqual(locked.body.errors, ['permission denied']);
  const list = await srv.api('GET', 'sys/locked-users');
  assert.equal(list.status, 200);
  assert.equal(list.body.data.total, 1);
  assert.deepEqual(list.body.data.by_namespace[0].mount_accessors, [{ mount_accessor: accessor, counts: 1, alias_identifiers: ['amy'] }]);
  clock.advance(15 * 60_000 + 1000);
  assert.equal((await login('amy', 'right')).status, 200);
  assert.equal((await srv.api('GET', 'sys/locked-users')).body.data.total, 0);
});

test('failures spaced beyond the counter reset do not lock; a success resets the count', async () => {
  for (let i = 0; i < 4; i++) await login('ben', 'wrong');
  assert.equal((await login('ben', 'right')).status, 200);
  for (let i = 0; i < 4; i++) await login('ben', 'wrong');
  assert.equal((await login('ben', 'right')).status, 200);
  for (let i = 0; i < 6; i++) {
    await login('ben', 'wrong');
    clock.advance(16 * 60_000);
  }
  assert.equal((await login('ben', 'right')).status, 200);
});

test('sys/locked-users/:accessor/unlock/:alias unlocks', async () => {
  for (let i = 0; i < 5; i++) await login('cat', 'wrong');
  assert.equal((await login('cat', 'right')).status, 403);
  assert.equal((await srv.api('POST', `sys/locked-users/${accessor}/unlock/cat`)).status, 204);
  assert.equal((await login('cat', 'right')).status, 200);
  assert.equal((await srv.api('POST', 'sys/locked-users/auth_nope_1/unlock/cat')).status, 400);
});

test('user_lockout_config on tune changes the threshold and can disable lockout', async () => {
  const t = await srv.api('POST', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_threshold: '2', lockout_duration: '1m' } });
  assert.equal(t.status, 204, JSON.stringify(t.body));
  const tune = (await srv.api('GET', 'sys/auth/userpass/tune')).body.data;
  assert.equal(tune.user_lockout_threshold, 2);
  assert.equal(tune.user_lockout_duration, 60);
  assert.deepEqual((await srv.api('GET', 'sys/auth')).body.data['userpass/'].config.user_lockout_config, { user_lockout_threshold: 2, user_lockout_duration: 60 });
  await srv.api('POST', 'auth/userpass/users/dan', { password: 'right' });
  await login('dan', 'wrong');
  await login('dan', 'wrong');
  assert.equal((await login('dan', 'right')).status, 403);
  clock.advance(61_000);
  assert.equal((await login('dan', 'right')).status, 200);
  await srv.api('POST', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_disable: true } });
  for (let i = 0; i < 8; i++) await login('dan', 'wrong');
  assert.equal((await login('dan', 'right')).status, 200);
  const bad = await srv.api('POST', 'sys/auth/token/tune', { user_lockout_config: { lockout_threshold: '2' } });
  assert.deepEqual(bad.body.errors, ['tuning of user lockout configuration for auth type "token" not allowed']);
});

test('AppRole locks by role-id after unknown secret-ids', async () => {
  await srv.api('POST', 'auth/approle/role/r', {});
  const roleId = (await srv.api('GET', 'auth/approle/role/r/role-id')).body.data.role_id;
  const secret = (await srv.api('POST', 'auth/approle/role/r/secret-id')).body.data.secret_id;
  for (let i = 0; i < 5; i++) await call(srv, '', 'POST', 'auth/approle/login', { role_id: roleId, secret_id: 'wrong' });
  const locked = await call(srv, '', 'POST', 'auth/approle/login', { role_id: roleId, secret_id: secret });
  assert.equal(locked.status, 403);
  const approleAccessor = (await srv.api('GET', 'sys/auth')).body.data['approle/'].accessor;
  const list = await srv.api('GET', `sys/locked-users?mount_accessor=${approleAccessor}`);
  assert.deepEqual(list.body.data.by_namespace[0].mount_accessors[0].alias_identifiers, [roleId]);
});

test('user_lockout blocks in the server config set the defaults under each mount\'s tune', async () => {
  const { parseConfig } = await import('../../../src/server/config.js');
  const { startServer } = await import('../../../src/server/start.js');
  const config = parseConfig(`
    storage "inmem" {}
    listener "tcp" { address = "127.0.0.1:0" tls_disable = true }
    user_lockout "all" { lockout_threshold = "3" lockout_duration = "2m" }
    user_lockout "approle" { disable_lockout = "true" }
  `);
  assert.deepEqual(config.userLockout, { all: { threshold: 3, duration: 120 }, approle: { disabled: true } });
  assert.throws(() => parseConfig('storage "inmem" {}\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\nuser_lockout "github" { lockout_threshold = "1" }\n'), /unsupported auth method type/);
  const server = await startServer({ dev: true, storage: { type: 'memory' }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, userLockout: config.userLockout });
  try {
    const core = server.core;
    await core.unsealed.mounts.mount({ table: 'auth', path: 'up/', type: 'userpass' });
    await core.unsealed.mounts.mount({ table: 'auth', path: 'ar/', type: 'approle' });
    const up = core.lockoutOf(core.unsealed.mounts.get('auth', 'up/')!);
    assert.deepEqual(up, { threshold: 3, duration: 120, counterReset: 900, disabled: false });
    assert.equal(core.lockoutOf(core.unsealed.mounts.get('auth', 'ar/')!).disabled, true);
  } finally {
    await server.close();
  }
});
