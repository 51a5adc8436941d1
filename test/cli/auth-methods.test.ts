// The CLI with the new auth methods: `auth enable|tune|list|disable` for approle and userpass,
// `login -method=userpass`, `write auth/approle/login` and `token create -type=batch`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor } from './helpers.js';

let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv.close(); });

test('auth enable, tune and list for approle and userpass; login -method=userpass stores the token', async () => {
  const admin = cliFor(srv.url, srv.rootToken);
  const user = cliFor(srv.url);
  try {
    assert.equal((await admin.run(['auth', 'enable', 'userpass'])).code, 0);
    assert.equal((await admin.run(['auth', 'enable', '-path=ci', 'approle'])).code, 0);
    const tune = await admin.run(['auth', 'tune', '-max-lease-ttl=2h', '-token-type=default-batch', 'ci/']);
    assert.equal(tune.code, 0, tune.stderr);
    const list = await admin.run(['auth', 'list']);
    assert.match(list.stdout, /^ci\/\s+approle\s+auth_approle_[0-9a-f]{8}/m);
    assert.match(list.stdout, /^userpass\/\s+userpass\s+/m);
    assert.equal((await admin.run(['write', 'auth/userpass/users/ann', 'password=cli-pass-1', 'token_policies=default'])).code, 0);
    const login = await user.run(['login', '-method=userpass', 'username=ann', 'password=cli-pass-1']);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /^token_meta_username\s+ann$/m);
    const token = readFileSync(join(user.home, '.vault-token'), 'utf8');
    assert.match(token, /^hvs\./);
    const bad = await user.run(['login', '-method=userpass', 'username=ann', 'password=wrong']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid username or password/);
  } finally {
    admin.cleanup();
    user.cleanup();
  }
});

test('write auth/<approle>/login answers a batch token from a default-batch mount; token create -type=batch', async () => {
  const admin = cliFor(srv.url, srv.rootToken);
  try {
    assert.equal((await admin.run(['write', 'auth/ci/role/build', 'token_policies=default'])).code, 0);
    const roleId = (await admin.run(['read', '-field=role_id', 'auth/ci/role/build/role-id'])).stdout.trim();
    const secretId = (await admin.run(['write', '-f', '-field=secret_id', 'auth/ci/role/build/secret-id'])).stdout.trim();
    const login = await admin.run(['write', '-format=json', 'auth/ci/login', `role_id=${roleId}`, `secret_id=${secretId}`]);
    assert.equal(login.code, 0, login.stderr);
    const auth = JSON.parse(login.stdout).auth;
    assert.equal(auth.token_type, 'batch');
    assert.match(auth.client_token, /^hvb\./);
    const batch = await admin.run(['token', 'create', '-type=batch', '-policy=default', '-format=json']);
    assert.equal(batch.code, 0, batch.stderr);
    assert.match(JSON.parse(batch.stdout).auth.client_token, /^hvb\./);
  } finally {
    admin.cleanup();
  }
});
