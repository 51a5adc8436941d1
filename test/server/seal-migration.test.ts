// Seal migration as Vault documents it, over one SQLite file and real processes: a Shamir
// server gets a `seal "transit"` block, unseals once with its unseal keys and migrate = true,
// and from then on unseals itself (the old unseal keys are now its recovery keys); then the
// block is marked disabled = "true", the recovery keys with migrate = true take it back to
// Shamir, and the same keys unseal it as unseal keys again. Data survives every step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from './process.js';
import { cleanEnv, startTransitSealServer, transitSealBlock, waitSealed, type TransitSealServer } from './transit-seal-server.js';

const SECRET = 'migrated-canary-90d2e1';
let dir = '';
let config = '';
let db = '';
let port = 0;
let transit: TransitSealServer;
let keys: string[] = [];
let root = '';
const logs: string[] = [];

async function start(sealBlock: string): Promise<ServerProcess> {
  writeConfig(config, { db, port, extra: sealBlock });
  const p = await spawnServer(config, cleanEnv());
  void p.exited.then(() => logs.push(p.stdout(), p.stderr()));
  return p;
}

const status = async (s: ServerProcess) => (await call(s.url, 'GET', 'sys/seal-status')).body;
const readSecret = async (s: ServerProcess) => (await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).body?.data?.value;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-seal-migration-'));
  transit = await startTransitSealServer(dir);
  config = join(dir, 'lockbox.hcl');
  db = join(dir, 'main.db');
  port = await freePort();
});

after(async () => {
  await transit.stop();
  const all = logs.join('\n');
  for (const secret of [transit.sealToken, root, SECRET, ...keys]) assert.ok(secret && !all.includes(secret), 'a secret reached the output');
  rmSync(dir, { recursive: true, force: true });
});

test('Shamir to transit: unseal keys with migrate = true; they become the recovery keys', async () => {
  let s = await start('');
  // A Shamir server refuses the recovery parameters, as Vault does.
  const recoveryParams = await call(s.url, 'PUT', 'sys/init', { body: { recovery_shares: 3, recovery_threshold: 2 } });
  assert.deepEqual(recoveryParams.body.errors, ['parameters recovery_shares,recovery_threshold not applicable to seal type shamir']);
  const init = await call(s.url, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  keys = init.body.keys;
  root = init.body.root_token;
  assert.equal((await unseal(s.url, keys.slice(0, 2))).sealed, false);
  assert.equal((await call(s.url, 'PUT', 'cubbyhole/canary', { token: root, body: { value: SECRET } })).status, 204);
  assert.deepEqual((await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0], migrate: true } })).body.errors,
    ["can't perform a seal migration, no migration seal found"]);
  assert.equal(await s.stop('SIGTERM'), 0);

  s = await start(transitSealBlock(transit));
  assert.match(s.stdout(), /Seal Type: transit/);
  const pending = await status(s);
  assert.deepEqual({ type: pending.type, sealed: pending.sealed, migration: pending.migration, t: pending.t, n: pending.n, recovery_seal: pending.recovery_seal },
    { type: 'shamir', sealed: true, migration: true, t: 2, n: 3, recovery_seal: false });
  const without = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
  assert.equal(without.status, 400);
  assert.deepEqual(without.body.errors, ['migrate option not provided and seal migration is pending']);
  assert.equal((await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[1], migrate: true } })).body.progress, 1);
  const done = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[2], migrate: true } });
  assert.equal(done.body.sealed, false, JSON.stringify(done.body));
  const migrated = await status(s);
  assert.deepEqual({ type: migrated.type, migration: migrated.migration, t: migrated.t, n: migrated.n, recovery_seal: migrated.recovery_seal },
    { type: 'transit', migration: false, t: 2, n: 3, recovery_seal: true });
  assert.equal(await readSecret(s), SECRET);
  assert.equal(await s.stop('SIGKILL'), 'SIGKILL');

  s = await start(transitSealBlock(transit));
  await waitSealed(s.url, false);
  assert.equal(await readSecret(s), SECRET);
  // The old unseal keys are the recovery keys now: they unseal after sys/seal.
  assert.equal((await call(s.url, 'PUT', 'sys/seal', { token: root })).status, 204);
  assert.equal((await unseal(s.url, [keys[0] as string, keys[2] as string])).sealed, false);
  assert.equal(await s.stop('SIGTERM'), 0);
});

test('a stored transit seal with no transit block configured is refused, with the way out', async () => {
  const s = await start('');
  const st = await status(s);
  assert.equal(st.type, 'transit');
  const r = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /the stored seal is transit but the configured seal is shamir/);
  assert.equal(await s.stop('SIGTERM'), 0);
});

test('transit back to Shamir: the block marked disabled, recovery keys with migrate = true', async () => {
  let s = await start(transitSealBlock(transit, '  disabled = "true"\n'));
  assert.match(s.stdout(), /Seal Type: shamir \(migrating from transit\)/);
  const pending = await status(s);
  assert.deepEqual({ type: pending.type, migration: pending.migration, sealed: pending.sealed, recovery_seal: pending.recovery_seal },
    { type: 'transit', migration: true, sealed: true, recovery_seal: true });
  assert.match(s.stderr(), /entering seal migration mode from transit to shamir/);
  await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[1], migrate: true } });
  const done = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0], migrate: true } });
  assert.equal(done.body.sealed, false, JSON.stringify(done.body));
  assert.equal((await status(s)).type, 'shamir');
  assert.equal(await readSecret(s), SECRET);
  assert.equal(await s.stop('SIGKILL'), 'SIGKILL');

  // Plain Shamir again: sealed at start, and the same keys are unseal keys.
  s = await start('');
  const sealed = await status(s);
  assert.deepEqual({ type: sealed.type, sealed: sealed.sealed, migration: sealed.migration, t: sealed.t, n: sealed.n }, { type: 'shamir', sealed: true, migration: false, t: 2, n: 3 });
  const wrongFlag = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0], migrate: true } });
  assert.deepEqual(wrongFlag.body.errors, ["can't perform a seal migration, no migration seal found"]);
  assert.equal((await unseal(s.url, [keys[1] as string, keys[2] as string])).sealed, false);
  assert.equal(await readSecret(s), SECRET);
  assert.equal(await s.stop('SIGTERM'), 0);
});
