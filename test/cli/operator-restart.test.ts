// `operator rekey` and `operator generate-root` through the CLI across a server restart (both
// reset, as Vault's do, and the old shares still unseal), and a share given twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockbox-cli-restart-'));
const storage = { type: 'sqlite' as const, path: join(dir, 'lockbox.db') };
let srv: TestServer;
let cli: Cli;
let keys: string[] = [];

async function ok(...args: string[]): Promise<string> {
  const r = await cli.run(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  srv = await startTestServer({ dev: false, storage });
  cli = cliFor(srv.url);
  keys = JSON.parse(await ok('operator', 'init', '-key-shares=3', '-key-threshold=2', '-format=json')).unseal_keys_b64;
  for (const k of keys.slice(0, 2)) await ok('operator', 'unseal', k);
});
after(async () => {
  cli.cleanup();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a share given twice is refused in Vault\'s words (exit 2); progress stays', async () => {
  const nonce = JSON.parse(await ok('operator', 'rekey', '-init', '-key-shares=1', '-key-threshold=1', '-format=json')).nonce as string;
  await ok('operator', 'rekey', `-nonce=${nonce}`, keys[0] as string);
  const twice = await cli.run(['operator', 'rekey', `-nonce=${nonce}`, keys[0] as string]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /given key has already been provided during this rekey operation/);
  assert.match(await ok('operator', 'rekey', '-status'), /Rekey Progress\s+1\/2/);
  await ok('operator', 'rekey', '-cancel');
});

test('a restart between steps resets rekey and generate-root; the old shares unseal', async () => {
  const nonce = JSON.parse(await ok('operator', 'rekey', '-init', '-key-shares=1', '-key-threshold=1', '-format=json')).nonce as string;
  await ok('operator', 'rekey', `-nonce=${nonce}`, keys[0] as string);
  const gen = JSON.parse(await ok('operator', 'generate-root', '-init', '-format=json'));
  await ok('operator', 'generate-root', `-nonce=${gen.nonce}`, keys[0] as string);
  await srv.close();
  srv = await startTestServer({ dev: false, storage });
  cli.cleanup();
  cli = cliFor(srv.url);
  assert.equal((await cli.run(['status'])).code, 2, 'sealed after the restart');
  for (const k of keys.slice(1, 3)) await ok('operator', 'unseal', k);
  assert.match(await ok('operator', 'rekey', '-status'), /Started\s+false/);
  assert.match(await ok('operator', 'generate-root', '-status'), /Started\s+false/);
  const late = await cli.run(['operator', 'rekey', `-nonce=${nonce}`, keys[1] as string]);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /No rekey is in progress/);
});

test('version names the Vault API level that status reports as Version', async () => {
  const version = await ok('version');
  const status = await ok('status', '-format=json');
  assert.match(version, new RegExp(`^Lockbox v\\S+ \\(Vault API ${(JSON.parse(status) as { version: string }).version.replace(/\./g, '\\.')}\\)\\n$`));
});
