// A server with `seal "transit"` pointed at a second Lockbox process: init hands out recovery
// keys and leaves it unsealed; after kill -9 it unseals itself; recovery keys unseal it after
// sys/seal and authorise generate-root; with the transit server gone it says why, keeps
// trying, and unseals once the key is back. The seal token never reaches the output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, spawnServer, writeConfig, type ServerProcess } from './process.js';
import { cleanEnv, startTransitSealServer, transitSealBlock, waitSealed, type TransitSealServer } from './transit-seal-server.js';

const SECRET = 'transit-sealed-canary-41c7';
let dir = '';
let config = '';
let transit: TransitSealServer;
let server: ServerProcess | undefined;
let root = '';
let recovery: string[] = [];
const logs: string[] = [];

async function start(): Promise<ServerProcess> {
  const p = await spawnServer(config, cleanEnv());
  void p.exited.then(() => logs.push(p.stdout(), p.stderr()));
  server = p;
  return p;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-transit-seal-'));
  transit = await startTransitSealServer(dir);
  config = join(dir, 'lockbox.hcl');
  writeConfig(config, { db: join(dir, 'main.db'), port: await freePort(), extra: transitSealBlock(transit) });
});

after(async () => {
  await server?.stop('SIGTERM').catch(() => undefined);
  await transit.stop();
  const all = logs.join('\n') + transit.output();
  for (const secret of [transit.sealToken, root, SECRET, ...recovery]) assert.ok(secret && !all.includes(secret), 'a secret reached the output');
  rmSync(dir, { recursive: true, force: true });
});

test('init with an auto seal: recovery keys, Vault\'s parameter rule, unsealed at once', async () => {
  const s = await start();
  assert.match(s.stdout(), /Seal Type: transit/);
  const status = await call(s.url, 'GET', 'sys/seal-status');
  assert.deepEqual({ type: status.body.type, initialized: status.body.initialized, sealed: status.body.sealed, recovery_seal: status.body.recovery_seal },
    { type: 'transit', initialized: false, sealed: true, recovery_seal: true });
  const wrong = await call(s.url, 'PUT', 'sys/init', { body: { secret_shares: 5, secret_threshold: 3 } });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.body.errors, ['parameters secret_shares,secret_threshold not applicable to seal type transit']);
  const pgp = await call(s.url, 'PUT', 'sys/init', { body: { recovery_shares: 1, recovery_threshold: 1, recovery_pgp_keys: ['x'] } });
  assert.equal(pgp.status, 400);
  const init = await call(s.url, 'PUT', 'sys/init', { body: { recovery_shares: 3, recovery_threshold: 2 } });
  assert.equal(init.status, 200, JSON.stringify(init.body));
  assert.deepEqual(init.body.keys, []);
  assert.deepEqual(init.body.keys_base64, []);
  assert.equal(init.body.recovery_keys.length, 3);
  assert.equal(init.body.recovery_keys_base64.length, 3);
  recovery = init.body.recovery_keys;
  root = init.body.root_token;
  const after = await call(s.url, 'GET', 'sys/seal-status');
  assert.equal(after.body.sealed, false);
  assert.equal(after.body.t, 2);
  assert.equal(after.body.n, 3);
  assert.equal(after.body.migration, false);
  assert.equal((await call(s.url, 'PUT', 'cubbyhole/canary', { token: root, body: { value: SECRET } })).status, 204);
  // Shamir's rekey has no shares to change here.
  assert.equal((await call(s.url, 'PUT', 'sys/rekey/init', { body: { secret_shares: 3, secret_threshold: 2 } })).status, 400);
});

test('after kill -9 the server unseals itself from the transit key', async () => {
  assert.equal(await server!.stop('SIGKILL'), 'SIGKILL');
  const s = await start();
  await waitSealed(s.url, false);
  const read = await call(s.url, 'GET', 'cubbyhole/canary', { token: root });
  assert.equal(read.body.data.value, SECRET);
  assert.match(s.stderr(), /unsealed with the transit seal/);
});

test('after sys/seal, recovery keys unseal it; they also authorise generate-root', async () => {
  const s = server!;
  assert.equal((await call(s.url, 'PUT', 'sys/seal', { token: root })).status, 204);
  assert.equal((await call(s.url, 'PUT', 'sys/unseal', { body: { key: recovery[0] } })).body.progress, 1);
  const done = await call(s.url, 'PUT', 'sys/unseal', { body: { key: recovery[2] } });
  assert.equal(done.body.sealed, false);
  const start = await call(s.url, 'PUT', 'sys/generate-root/attempt', { body: {} });
  assert.equal(start.body.required, 2);
  const nonce = start.body.nonce;
  await call(s.url, 'PUT', 'sys/generate-root/update', { body: { key: recovery[1], nonce } });
  const fin = await call(s.url, 'PUT', 'sys/generate-root/update', { body: { key: recovery[2], nonce } });
  assert.equal(fin.body.complete, true, JSON.stringify(fin.body));
  const token = Buffer.from(Buffer.from(fin.body.encoded_token, 'base64').map((b, i) => b ^ (start.body.otp as string).charCodeAt(i))).toString('utf8');
  assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token })).status, 404); // a new token: its own cubbyhole
  assert.equal((await call(s.url, 'GET', 'auth/token/lookup-self', { token })).body.data.policies[0], 'root');
});

test('with the transit server down it stays sealed, says why, retries, and unseals once it is back', async () => {
  assert.equal(await server!.stop('SIGTERM'), 0);
  await transit.kill();
  const s = await start();
  const until = async (re: RegExp, count: number) => {
    const end = Date.now() + 20_000;
    while ((s.stderr().match(new RegExp(re, 'g')) ?? []).length < count) {
      if (Date.now() > end) throw new Error(`no ${re} in:\n${s.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until(/auto-unseal failed; retrying/, 2);
  assert.match(s.stderr(), /cannot reach the server \(ECONNREFUSED\)/);
  const status = await call(s.url, 'GET', 'sys/seal-status');
  assert.equal(status.body.sealed, true);
  assert.equal(status.body.type, 'transit');
  assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).status, 503);
  await transit.restart();
  await until(/Vault is sealed/, 1); // the transit server answers, but sealed
  await transit.unseal();
  await waitSealed(s.url, false);
  assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).body.data.value, SECRET);
});
