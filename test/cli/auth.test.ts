// `lockbox auth`: list and tune the token method; enable, move and disable another method.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

let srv: TestServer;
let cli: Cli;
before(async () => {
  srv = await startTestServer();
  cli = cliFor(srv.url, srv.rootToken);
});
after(async () => {
  cli.cleanup();
  await srv.close();
});

test('list shows the token method', async () => {
  const r = await cli.run(['auth', 'list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Path\s+Type\s+Accessor\s+Description$/m);
  assert.match(r.stdout, /^token\/\s+token\s+\S+/m);
  assert.equal(JSON.parse((await cli.run(['auth', 'list', '-format=json'])).stdout)['token/'].type, 'token');
});

test('tune changes the token method\'s TTLs', async () => {
  const r = await cli.run(['auth', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=4h', 'token']);
  assert.deepEqual([r.code, r.stdout], [0, 'Success! Tuned the auth method at: token/\n'], r.stderr);
  const tuned = await srv.api('GET', 'sys/auth/token/tune');
  assert.equal(tuned.body.data.default_lease_ttl, 3600);
  assert.equal(tuned.body.data.max_lease_ttl, 14400);
});

// The userpass method is not on the server yet; this passes once sys/auth can mount it.
test('enable, move and disable a userpass method', { todo: 'server endpoint pending' }, async () => {
  const r = await cli.run(['auth', 'enable', '-path=people', '-description=humans', 'userpass']);
  assert.deepEqual([r.code, r.stdout], [0, 'Success! Enabled userpass auth method at: people/\n'], r.stderr);
  const entry = (await srv.api('GET', 'sys/auth')).body.data['people/'];
  assert.equal(entry.type, 'userpass');
  assert.equal(entry.description, 'humans');
  const m = await cli.run(['auth', 'move', 'people', 'staff']);
  assert.equal(m.code, 0, m.stderr);
  assert.match((await cli.run(['auth', 'list'])).stdout, /^staff\/\s+userpass/m);
  const d = await cli.run(['auth', 'disable', 'staff']);
  assert.deepEqual([d.code, d.stdout], [0, 'Success! Disabled the auth method (if it existed) at: staff/\n']);
  assert.equal((await srv.api('GET', 'sys/auth')).body.data['staff/'], undefined);
});
