// A server with `seal "pkcs11"` over SoftHSM2: init generates the AES key in the token and hands
// out recovery keys; after kill -9 the server unseals itself; with the token gone it says why,
// keeps trying, and unseals once the token is back; VAULT_HSM_PIN wins over the file; a wrong
// PIN is named by its PKCS#11 code; a Shamir server migrates to it. The PIN never reaches the
// output. Each test run has its own SOFTHSM2_CONF and token directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from './process.js';
import { cleanEnv, waitSealed } from './transit-seal-server.js';

const LIB = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = 'pin-canary-7731';
const SECRET = 'hsm-sealed-canary-2f0b';
let dir = '';
let hsmConf = '';
let tokens = '';
let root = '';
let recovery: string[] = [];
const logs: string[] = [];

const sealBlock = (pin: string | undefined, extra = '') => `seal "pkcs11" {\n  lib = "${LIB}"\n  token_label = "lockbox"\n`
  + `${pin === undefined ? '' : `  pin = "${pin}"\n`}  key_label = "lockbox-root"\n  generate_key = "true"\n${extra}}\n`;

async function start(name: string, block: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const config = join(dir, `${name}.hcl`);
  writeConfig(config, { db: join(dir, `${name}.db`), port: await freePort(), extra: block });
  const p = await spawnServer(config, cleanEnv({ SOFTHSM2_CONF: hsmConf, ...env }));
  void p.exited.then(() => logs.push(p.stdout(), p.stderr()));
  return p;
}

async function untilLogged(s: ServerProcess, re: RegExp, count: number): Promise<void> {
  const end = Date.now() + 20_000;
  while ((s.stderr().match(new RegExp(re, 'g')) ?? []).length < count) {
    if (Date.now() > end) throw new Error(`no ${re} in:\n${s.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-pkcs11-seal-'));
  tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  hsmConf = join(dir, 'softhsm2.conf');
  writeFileSync(hsmConf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'lockbox', '--pin', PIN, '--so-pin', 'so-pin-1234'],
    { env: { ...process.env, SOFTHSM2_CONF: hsmConf }, stdio: 'ignore' });
});

after(() => {
  const all = logs.join('\n');
  for (const secret of [PIN, root, SECRET, ...recovery]) assert.ok(secret && !all.includes(secret), 'a secret reached the output');
  rmSync(dir, { recursive: true, force: true });
});

test('pkcs11: init generates the key in the token; kill -9 and restart unseals itself', async () => {
  let s = await start('main', sealBlock(PIN));
  try {
    assert.match(s.stdout(), /Seal Type: pkcs11/);
    const init = await call(s.url, 'PUT', 'sys/init', { body: { recovery_shares: 3, recovery_threshold: 2 } });
    assert.equal(init.status, 200, JSON.stringify(init.body));
    recovery = init.body.recovery_keys;
    root = init.body.root_token;
    const st = (await call(s.url, 'GET', 'sys/seal-status')).body;
    assert.deepEqual({ type: st.type, sealed: st.sealed, recovery_seal: st.recovery_seal, t: st.t, n: st.n }, { type: 'pkcs11', sealed: false, recovery_seal: true, t: 2, n: 3 });
    assert.equal((await call(s.url, 'PUT', 'cubbyhole/canary', { token: root, body: { value: SECRET } })).status, 204);
    assert.equal(await s.stop('SIGKILL'), 'SIGKILL');
    // The PIN from the environment wins over the file's, as Vault's seal reads it.
    s = await start('main', sealBlock('not-the-pin'), { VAULT_HSM_PIN: PIN });
    await waitSealed(s.url, false);
    assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).body.data.value, SECRET);
  } finally {
    await s.stop('SIGTERM');
  }
});

test('pkcs11: a wrong PIN is named by its code; a missing token is retried until it is back', async () => {
  let s = await start('main', sealBlock('wrong-pin-5551'));
  try {
    await untilLogged(s, /auto-unseal failed; retrying/, 1);
    assert.match(s.stderr(), /CKR_PIN_INCORRECT/);
    assert.ok(!s.stderr().includes('wrong-pin-5551'));
    await s.stop('SIGTERM');
    renameSync(tokens, `${tokens}.away`);
    mkdirSync(tokens);
    try {
      s = await start('main', sealBlock(PIN));
      await untilLogged(s, /auto-unseal failed; retrying/, 2);
      assert.match(s.stderr(), /no token labelled \\"lockbox\\"/);
      assert.equal((await call(s.url, 'GET', 'sys/seal-status')).body.sealed, true);
    } finally {
      rmSync(tokens, { recursive: true });
      renameSync(`${tokens}.away`, tokens);
    }
    await waitSealed(s.url, false);
    assert.equal((await call(s.url, 'GET', 'cubbyhole/canary', { token: root })).body.data.value, SECRET);
  } finally {
    await s.stop('SIGTERM');
  }
});

test('pkcs11: a Shamir server migrates to the HSM seal with migrate = true', async () => {
  let s = await start('shamir', '');
  let keys: string[] = [];
  try {
    const init = await call(s.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    keys = init.body.keys;
    recovery.push(...keys);
    assert.equal((await unseal(s.url, keys)).sealed, false);
    await s.stop('SIGTERM');
    s = await start('shamir', sealBlock(PIN));
    assert.equal((await call(s.url, 'GET', 'sys/seal-status')).body.migration, true);
    const done = await call(s.url, 'PUT', 'sys/unseal', { body: { key: keys[0], migrate: true } });
    assert.equal(done.body.sealed, false, JSON.stringify(done.body));
    assert.equal(done.body.type, 'pkcs11');
    await s.stop('SIGKILL');
    s = await start('shamir', sealBlock(PIN));
    await waitSealed(s.url, false);
  } finally {
    await s.stop('SIGTERM');
  }
});
