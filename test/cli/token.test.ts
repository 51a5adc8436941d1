// `lockbox token`: create with its flags, lookup/renew/revoke by token, accessor and self,
// and capabilities.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

/** Creates a token through the CLI and returns its auth block. */
async function create(...flags: string[]): Promise<{ client_token: string; accessor: string; policies: string[] }> {
  const r = await suite.cli.run(['token', 'create', '-format=json', ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).auth;
}

/** lookup's data for a token, as JSON. */
async function lookup(token: string): Promise<Record<string, unknown>> {
  const r = await suite.cli.run(['token', 'lookup', '-format=json', token]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).data;
}

test('create shows the auth block as a table; -field=token prints the token alone', async () => {
  const r = await suite.cli.run(['token', 'create', '-policy=reader', '-policy=writer', '-ttl=1h']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^token\s+\S+$/m);
  assert.match(r.stdout, /^token_accessor\s+\S+$/m);
  assert.match(r.stdout, /^token_duration\s+1h$/m);
  assert.match(r.stdout, /^token_renewable\s+true$/m);
  assert.match(r.stdout, /^token_policies\s+\["default" "reader" "writer"\]$/m);
  const field = await suite.cli.run(['token', 'create', '-field=token']);
  assert.equal(field.code, 0, field.stderr);
  assert.match(field.stdout, /^\S+$/);
  assert.equal((await lookup(field.stdout)).id, field.stdout);
});

test('create sends every flag through to the token', async () => {
  const auth = await create('-policy=a,b', '-ttl=30m', '-explicit-max-ttl=2h', '-display-name=ci', '-use-limit=7',
    '-renewable=false', '-metadata=team=ops', '-no-default-policy');
  const data = await lookup(auth.client_token);
  assert.deepEqual(data.policies, ['a', 'b']);
  assert.equal(data.display_name, 'token-ci');
  assert.equal(data.explicit_max_ttl, 7200);
  assert.equal(data.creation_ttl, 1800);
  // lookup itself spends one use of a limited token? No: it is made with the root token.
  assert.equal(data.num_uses, 7);
  assert.equal(data.renewable, false);
  assert.deepEqual(data.meta, { team: 'ops' });
});

test('-orphan, -period and -type', async () => {
  const orphan = await lookup((await create('-orphan')).client_token);
  assert.equal(orphan.orphan, true);
  const periodic = await lookup((await create('-period=10m')).client_token);
  assert.equal(periodic.period, 600);
  const service = await create('-type=service', '-policy=default');
  assert.equal((await lookup(service.client_token)).type, 'service');
});

test('lookup: no argument and -self mean the calling token; -accessor looks up by accessor', async () => {
  for (const args of [['token', 'lookup'], ['token', 'lookup', '-self']]) {
    const r = await suite.cli.run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^policies\s+\[root\]$/m);
    assert.match(r.stdout, /^ttl\s+0s$/m);
  }
  const auth = await create('-ttl=1h');
  const r = await suite.cli.run(['token', 'lookup', '-accessor', auth.accessor]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^accessor\\s+${auth.accessor}$`, 'm'));
  assert.match(r.stdout, /^creation_ttl\s+1h$/m);
});

test('lookup of a wrapping token answers through sys/wrapping/lookup when the token store will not', async () => {
  const wrapped = await suite.srv.api('POST', 'sys/wrapping/wrap', { a: 1 }, { 'X-Vault-Wrap-TTL': '5m' });
  const token = wrapped.body.wrap_info.token as string;
  // A caller with only the default policy may not use auth/token/lookup.
  const plain = (await suite.srv.api('POST', 'auth/token/create', { policies: ['default'] })).body.auth.client_token;
  const r = await suite.cli.run(['token', 'lookup', '-format=json', token], { env: { LOCKBOX_TOKEN: plain } });
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout).data;
  assert.deepEqual([data.creation_path, data.creation_ttl], ['sys/wrapping/wrap', 300]);
});

test('renew by token and by accessor applies the increment', async () => {
  const auth = await create('-ttl=10m', '-explicit-max-ttl=5h');
  const r = await suite.cli.run(['token', 'renew', '-increment=2h', auth.client_token]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^token_duration\s+2h$/m);
  const byAccessor = await suite.cli.run(['token', 'renew', '-accessor', '-increment=1h', auth.accessor]);
  assert.equal(byAccessor.code, 0, byAccessor.stderr);
  assert.match(byAccessor.stdout, /^token_duration\s+1h$/m);
  const self = await suite.cli.run(['token', 'renew', '-increment=1h'], { env: { LOCKBOX_TOKEN: auth.client_token } });
  assert.equal(self.code, 0, self.stderr);
});

test('revoke: a token, -self, -accessor, and -mode=orphan which spares the children', async () => {
  const plain = await create();
  const r = await suite.cli.run(['token', 'revoke', plain.client_token]);
  assert.deepEqual([r.code, r.stdout], [0, 'Success! Revoked token (if it existed)\n']);
  assert.equal((await suite.cli.run(['token', 'lookup', plain.client_token])).code, 2);

  const self = await create();
  assert.equal((await suite.cli.run(['token', 'revoke', '-self'], { env: { LOCKBOX_TOKEN: self.client_token } })).code, 0);
  assert.equal((await suite.cli.run(['token', 'lookup', self.client_token])).code, 2);

  const byAccessor = await create();
  assert.equal((await suite.cli.run(['token', 'revoke', '-accessor', byAccessor.accessor])).code, 0);
  assert.equal((await suite.cli.run(['token', 'lookup', byAccessor.client_token])).code, 2);

  // The default policy cannot create tokens: the parent needs a policy that can.
  const policy = 'path "auth/token/create" {\n  capabilities = ["update"]\n}\n';
  assert.equal((await suite.cli.run(['policy', 'write', 'creator', '-'], { input: policy })).code, 0);
  const parent = await create('-policy=creator');
  const child = await suite.cli.run(['token', 'create', '-field=token'], { env: { LOCKBOX_TOKEN: parent.client_token } });
  assert.equal(child.code, 0, child.stderr);
  assert.equal((await suite.cli.run(['token', 'revoke', '-mode=orphan', parent.client_token])).code, 0);
  assert.equal((await suite.cli.run(['token', 'lookup', parent.client_token])).code, 2);
  assert.equal((await lookup(child.stdout)).orphan, true);
});

test('revoke argument rules are usage errors (exit 1)', async () => {
  assert.equal((await suite.cli.run(['token', 'revoke'])).code, 1);
  assert.equal((await suite.cli.run(['token', 'revoke', '-self', 'x'])).code, 1);
  assert.equal((await suite.cli.run(['token', 'revoke', '-mode=bogus', 'x'])).code, 1);
});

test('capabilities of the caller, of a token and of an accessor', async () => {
  const self = await suite.cli.run(['token', 'capabilities', 'secret/anything']);
  assert.deepEqual([self.code, self.stdout], [0, 'root\n']);
  const auth = await create('-policy=default');
  const other = await suite.cli.run(['token', 'capabilities', auth.client_token, 'sys/mounts']);
  assert.deepEqual([other.code, other.stdout], [0, 'deny\n']);
  const cubby = await suite.cli.run(['token', 'capabilities', '-format=json', '-accessor', auth.accessor, 'cubbyhole/x']);
  assert.equal(cubby.code, 0, cubby.stderr);
  assert.ok(JSON.parse(cubby.stdout).includes('read'));
});

test('the dangerous typo: token create -polcy=app-read exits 1 and creates no token', async () => {
  const before = await suite.cli.run(['list', '-format=json', 'auth/token/accessors']);
  assert.equal(before.code, 0, before.stderr);
  const r = await suite.cli.run(['token', 'create', '-polcy=app-read']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'flag provided but not defined: -polcy\n');
  assert.equal(r.stdout, '');
  const afterwards = await suite.cli.run(['list', '-format=json', 'auth/token/accessors']);
  assert.deepEqual(JSON.parse(afterwards.stdout), JSON.parse(before.stdout));
});
