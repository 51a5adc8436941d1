// `lockbox operator init` and `unseal` against a server with `seal "transit"`: init asks for
// recovery key shares (Vault's -recovery-shares/-recovery-threshold) and the server unseals
// itself; after `operator seal` it stays sealed until recovery keys typed into
// `operator unseal` open it again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, freePort, spawnServer, writeConfig, type ServerProcess } from '../server/process.js';
import { cleanEnv, startTransitSealServer, transitSealBlock, type TransitSealServer } from '../server/transit-seal-server.js';
import { cliFor, type Cli } from './helpers.js';

let dir = '';
let transit: TransitSealServer;
let server: ServerProcess;
let cli: Cli;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-cli-auto-seal-'));
  transit = await startTransitSealServer(dir);
  const config = join(dir, 'lockbox.hcl');
  writeConfig(config, { db: join(dir, 'main.db'), port: await freePort(), extra: transitSealBlock(transit) });
  server = await spawnServer(config, cleanEnv());
  cli = cliFor(server.url);
});

after(async () => {
  await server?.stop('SIGTERM').catch(() => undefined);
  await transit?.stop();
  cli?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('operator init takes recovery shares; the root token works at once; recovery keys unseal after operator seal', async () => {
  const init = await cli.run(['operator', 'init', '-recovery-shares=3', '-recovery-threshold=2']);
  assert.equal(init.code, 0, init.stderr);
  const keys = [...init.stdout.matchAll(/^Recovery Key \d: (\S+)$/gm)].map((m) => m[1] as string);
  assert.equal(keys.length, 3, init.stdout);
  assert.doesNotMatch(init.stdout, /Unseal Key/);
  assert.match(init.stdout, /Recovery key initialized with 3 key shares and a key threshold of 2/);
  const root = /^Initial Root Token: (\S+)$/m.exec(init.stdout)?.[1] as string;
  assert.equal((await call(server.url, 'GET', 'auth/token/lookup-self', { token: root })).status, 200);
  const status = await cli.run(['status', '-format=json']);
  const parsed = JSON.parse(status.stdout);
  assert.deepEqual({ type: parsed.type, sealed: parsed.sealed, t: parsed.t, n: parsed.n, recovery_seal: parsed.recovery_seal },
    { type: 'transit', sealed: false, t: 2, n: 3, recovery_seal: true });

  const rooted = cliFor(server.url, root);
  try {
    assert.equal((await rooted.run(['operator', 'seal'])).code, 0);
    // The start-up auto-unseal loop (it polls an uninitialised store every 5 s) must not undo
    // the operator's seal: the server stays sealed until recovery keys are given.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.equal(JSON.parse((await cli.run(['status', '-format=json'])).stdout).sealed, true);
    const first = await cli.run(['operator', 'unseal', '-format=json', keys[0]!]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).progress, 1);
    const second = await cli.run(['operator', 'unseal', '-format=json', keys[2]!]);
    assert.equal(JSON.parse(second.stdout).sealed, false);
  } finally {
    rooted.cleanup();
  }
  // A second init is refused with Vault's text.
  const again = await cli.run(['operator', 'init', '-recovery-shares=1', '-recovery-threshold=1']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already initialized/i);
  for (const secret of [root, ...keys]) assert.ok(!server.stdout().includes(secret) && !server.stderr().includes(secret), 'a key reached the server log');
});
