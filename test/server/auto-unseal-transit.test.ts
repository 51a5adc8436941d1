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
import { cleanEnv, startTransitSealServer, transitSealBlock, untilLogged, waitSealed, type TransitSealServer } from './transit-seal-server.js';

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
  // sys/rekey-recovery-key: the same three keys, re-split 3 of 2, with Vault's shapes.
  const rk = await call(s.url, 'PUT', 'sys/rekey-recovery-key/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  assert.equal(rk.body.started, true);
  const previous = [...recovery];
  const old = (i: number) => previous[i] as string;
  assert.equal(rk.body.required, 2);
  await call(s.url, 'PUT', 'sys/rekey-recovery-key/update', { body: { key: recovery[0], nonce: rk.body.nonce } });
  const rekeyed = await call(s.url, 'PUT', 'sys/rekey-recovery-key/update', { body: { key: recovery[1], nonce: rk.body.nonce } });
  assert.equal(rekeyed.body.complete, true, JSON.stringify(rekeyed.body));
  assert.equal(rekeyed.body.keys.length, 3);
  recovery = [...rekeyed.body.keys, ...recovery]; // the old ones stay canaries for the output check
  // Only the new shares authorise now.
  const again = await call(s.url, 'PUT', 'sys/generate-root/attempt', { body: {} });
  await call(s.url, 'PUT', 'sys/generate-root/update', { body: { key: old(0), nonce: again.body.nonce } });
  const refused = await call(s.url, 'PUT', 'sys/generate-root/update', { body: { key: old(1), nonce: again.body.nonce } });
  assert.equal(refused.status, 400);
  await call(s.url, 'DELETE', 'sys/generate-root/attempt');
});

test('with the transit server down it stays sealed, says why, retries, and unseals once it is back', async () => {
  assert.equal(await server!.stop('SIGTERM'), 0);
  await transit.kill();
  const s = await start();
  await untilLogged(s, /auto-unseal failed; retrying/, 2);
  assert.match(s.stderr(), /cannot reach the server \(ECONNREFUSED\)/);
  const status = await call(s.url, 'GET', 'sys/seal-status');
  assert.equal(status.body.sealed, true);
  assert.equal(status.body.type, 'transit');
  assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).status, 503);
  await transit.restart();
  await untilLogged(s, /Vault is sealed/, 1); // the transit server answers, but sealed
  await transit.unseal();
  await waitSealed(s.url, false);
  assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).body.data.value, SECRET);
});

test('the seal token is renewed in the background, unless disable_renewal is set', async () => {
  await server!.stop('SIGTERM');
  const tokens: string[] = [];
  const run = async (name: string, disableRenewal: boolean) => {
    // Long enough to outlast a slow start, short enough to lapse within the test.
    const token = await transit.createSealToken({ ttl: '12s', no_default_policy: false }); // default: renew-self
    const created = Date.now();
    tokens.push(token);
    const cfg = join(dir, `${name}.hcl`);
    writeConfig(cfg, { db: join(dir, `${name}.db`), port: await freePort(), extra: transitSealBlock(transit, `  disable_renewal = "${disableRenewal}"\n`, token) });
    const s = await spawnServer(cfg, cleanEnv());
    void s.exited.then(() => logs.push(s.stdout(), s.stderr()));
    try {
      const init = await call(s.url, 'PUT', 'sys/init', { body: { recovery_shares: 1, recovery_threshold: 1 } });
      assert.equal(init.status, 200, JSON.stringify(init.body));
      recovery.push(...init.body.recovery_keys);
      await new Promise((resolve) => setTimeout(resolve, created + 15_000 - Date.now())); // past the token's first TTL
      // Unsealing with the recovery key needs the transit key: only a live token can use it.
      await call(s.url, 'PUT', 'sys/seal', { token: init.body.root_token });
      return await call(s.url, 'PUT', 'sys/unseal', { body: { key: init.body.recovery_keys[0] } });
    } finally {
      await s.stop('SIGTERM');
    }
  };
  const renewed = await run('renewed', false);
  assert.equal(renewed.body.sealed, false, JSON.stringify(renewed.body));
  const lapsed = await run('lapsed', true);
  assert.equal(lapsed.status, 500);
  assert.match(lapsed.body.errors[0], /transit seal \(http:\/\/127\.0\.0\.1:\d+, key "autounseal"\): decrypt answered 403/);
  for (const t of tokens) assert.ok(!logs.join('\n').includes(t));
});
