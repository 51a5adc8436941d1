// lockbox lease lookup|renew|revoke against leases issued by a test engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { leaseEngine } from '../helpers/lease-engine.js';
import { ManualClock } from '../../src/util/clock.js';
import { execFile } from 'node:child_process';
import { createClient } from '../../src/cli/client.js';
import { countLeases } from '../../src/cli/lease.js';
import { BIN, cliFor, type Cli } from './helpers.js';

const engine = leaseEngine();
let srv: TestServer;
let cli: Cli;
before(async () => {
  // A clock that stands still: TTLs read back exactly however long the CLI takes to start.
  srv = await startTestServer({ extraEngines: engine.factories, clock: new ManualClock() });
  await srv.api('POST', 'sys/mounts/db', { type: 'leasetest' });
  cli = cliFor(srv.url, srv.rootToken);
});
after(async () => {
  cli.cleanup();
  await srv.close();
});

const issue = async (role: string) => (await srv.api('GET', `db/creds/${role}?ttl=600`)).body;

test('lookup prints the lease\'s id and TTL; JSON carries the data', async () => {
  const { lease_id } = await issue('look');
  const r = await cli.run(['lease', 'lookup', '-format=json', lease_id]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.deepEqual([body.data.id, body.data.ttl, body.data.renewable], [lease_id, 600, true]);
  const table = await cli.run(['lease', 'lookup', lease_id]);
  assert.match(table.stdout, /^ttl\s+10m$/m);
});

test('renew with -increment answers the new duration', async () => {
  const { lease_id } = await issue('renew');
  const r = await cli.run(['lease', 'renew', '-increment=30m', '-format=json', lease_id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).lease_duration, 1800);
});

test('revoke, revoke -prefix and the -force rule', async () => {
  const one = await issue('one');
  const r = await cli.run(['lease', 'revoke', one.lease_id]);
  assert.deepEqual([r.code, r.stdout], [0, `Success! Revoked lease: ${one.lease_id}\n`]);
  assert.ok(engine.state.revoked.includes(one.data.username));
  const a = await issue('many');
  const b = await issue('many');
  const p = await cli.run(['lease', 'revoke', '-prefix', 'db/creds/many']);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(engine.state.revoked.includes(a.data.username) && engine.state.revoked.includes(b.data.username));
  assert.equal((await cli.run(['lease', 'revoke', '-force', 'db/creds/x'])).code, 1);
  const missing = await cli.run(['lease', 'lookup', 'db/creds/none/abc']);
  assert.equal(missing.code, 2);
});

test('revoke -prefix on a terminal counts the leases first (sys/leases/lookup); piped, it prints Vault\'s line only', async () => {
  await issue('tty');
  await issue('tty');
  await issue('tty');
  // `script` gives the CLI a pseudo-terminal, as a user's shell would.
  const tty = await new Promise<string>((resolve, reject) => {
    const command = [process.execPath, BIN, 'lease', 'revoke', '-prefix', 'db/creds/tty'].map((a) => `'${a}'`).join(' ');
    execFile('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: cli.home, LOCKBOX_ADDR: srv.url, LOCKBOX_TOKEN: srv.rootToken } },
      (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stdout}${stderr}`)) : resolve(stdout)));
  });
  assert.match(tty, /Revoking 3 leases under db\/creds\/tty\.\.\.\r?\n/);
  assert.match(tty, /Success! Revoked any leases with prefix: db\/creds\/tty/);
  await issue('piped');
  const piped = await cli.run(['lease', 'revoke', '-prefix', 'db/creds/piped']);
  assert.deepEqual([piped.code, piped.stdout, piped.stderr], [0, 'Success! Revoked any leases with prefix: db/creds/piped\n', '']);
});

test('countLeases walks folders and gives up quietly without sudo', async () => {
  await issue('count');
  await issue('count');
  const root = createClient({ address: srv.url, token: srv.rootToken, tlsSkipVerify: false });
  assert.equal(await countLeases(root, 'db/creds/count'), 2);
  assert.ok(((await countLeases(root, 'db')) ?? 0) >= 2);
  assert.equal(await countLeases(root, 'db/creds/nothing-here'), 0);
  const plain = (await srv.api('POST', 'auth/token/create', { policies: ['default'] })).body.auth.client_token as string;
  assert.equal(await countLeases(createClient({ address: srv.url, token: plain, tlsSkipVerify: false }), 'db'), undefined);
});
