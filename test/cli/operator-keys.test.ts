// `lockbox operator rekey` and `operator generate-root` end to end: one share per run as the
// key holders would type them, progress tables, the new shares working, and a root token
// decoded from the OTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

let srv: TestServer;
let cli: Cli;
let keys: string[] = [];
let root = '';

async function ok(...args: string[]): Promise<string> {
  const r = await cli.run(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  srv = await startTestServer({ dev: false });
  cli = cliFor(srv.url);
  const init = JSON.parse(await ok('operator', 'init', '-key-shares=3', '-key-threshold=2', '-format=json'));
  keys = init.unseal_keys_b64;
  root = init.root_token;
  for (const k of keys.slice(0, 2)) await ok('operator', 'unseal', k);
});
after(async () => {
  cli.cleanup();
  await srv.close();
});

test('rekey: -init, one share per run with -nonce, the new shares printed; the old ones stop working', async () => {
  const none = await cli.run(['operator', 'rekey', '-nonce=x', keys[0] as string]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^No rekey is in progress\. Start one with "lockbox operator rekey -init"\./);
  const init = await ok('operator', 'rekey', '-init', '-key-shares=2', '-key-threshold=2');
  assert.match(init, /^Key\s+Value\n---\s+-----\nNonce\s+[0-9a-f-]{36}\nStarted\s+true\nRekey Progress\s+0\/2\nNew Shares\s+2\nNew Threshold\s+2\nVerification Required\s+false\n$/);
  const nonce = (/Nonce\s+(\S+)/.exec(init) as RegExpExecArray)[1] as string;
  const missing = await cli.run(['operator', 'rekey', keys[0] as string]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Missing nonce value: specify it via the -nonce flag/);
  assert.match(await ok('operator', 'rekey', `-nonce=${nonce}`, keys[0] as string), /Rekey Progress\s+1\/2/);
  assert.match(await ok('operator', 'rekey', '-status'), /Rekey Progress\s+1\/2/);
  // The share on stdin (`-`), as a script would pipe it.
  const last = await cli.run(['operator', 'rekey', `-nonce=${nonce}`, '-'], { input: `${keys[1]}\n` });
  assert.equal(last.code, 0, last.stderr);
  assert.match(last.stdout, /^Key 1: \S+\nKey 2: \S+\n\nOperation nonce: [0-9a-f-]{36}\n\nLockbox rekeyed with 2 key shares and a key threshold of 2\./);
  const fresh = [...last.stdout.matchAll(/^Key \d: (\S+)$/gm)].map((m) => m[1] as string);
  assert.equal(fresh.length, 2);
  assert.match(await ok('operator', 'rekey', '-status'), /Started\s+false/);
  const env = { env: { LOCKBOX_TOKEN: root } };
  assert.equal((await cli.run(['operator', 'seal'], env)).code, 0);
  const old = await cli.run(['operator', 'unseal', '-format=json', keys[0] as string]);
  await cli.run(['operator', 'unseal', '-format=json', keys[1] as string]);
  assert.equal(JSON.parse(old.stdout).t, 2);
  assert.equal((await cli.run(['status'])).code, 2, 'the old shares do not unseal');
  await cli.run(['operator', 'unseal', '-reset']);
  for (const k of fresh) await ok('operator', 'unseal', k);
  assert.equal((await cli.run(['status'])).code, 0);
  keys = fresh;
});

test('rekey -cancel and a wrong share: Vault\'s exit codes', async () => {
  const init = JSON.parse(await ok('operator', 'rekey', '-init', '-key-shares=1', '-key-threshold=1', '-format=json'));
  const bogus = Buffer.alloc(33, 7).toString('base64');
  await ok('operator', 'rekey', `-nonce=${init.nonce}`, bogus);
  const wrong = await cli.run(['operator', 'rekey', `-nonce=${init.nonce}`, Buffer.alloc(33, 9).toString('base64')]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^Error posting unseal key: Error making API request\.\n\nURL: PUT .*\/v1\/sys\/rekey\/update\nCode: 400\. Errors:\n\n\* root key verification failed: invalid key shares/);
  assert.equal(await ok('operator', 'rekey', '-cancel'), 'Success! Canceled rekeying (if it was started)\n');
  const both = await cli.run(['operator', 'rekey', '-init', '-cancel']);
  assert.equal(both.code, 1);
});

test('generate-root: -init prints the OTP once, shares complete it, -decode gives a working root token', async () => {
  const otp = (await ok('operator', 'generate-root', '-generate-otp')).trim();
  assert.match(otp, /^[0-9A-Za-z]{28}$/);
  const init = await cli.run(['operator', 'generate-root', '-init']);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stderr, /A One-Time-Password has been generated for you/);
  assert.match(init.stdout, /^Nonce\s+[0-9a-f-]{36}\nStarted\s+true\nProgress\s+0\/2\nComplete\s+false\nOTP\s+[0-9A-Za-z]{28}\nOTP Length\s+28\n$/);
  const serverOtp = (/OTP\s+(\S{28})/.exec(init.stdout) as RegExpExecArray)[1] as string;
  const nonce = (/Nonce\s+(\S+)/.exec(init.stdout) as RegExpExecArray)[1] as string;
  assert.match(await ok('operator', 'generate-root', `-nonce=${nonce}`, keys[0] as string), /Progress\s+1\/2\nComplete\s+false/);
  const done = await ok('operator', 'generate-root', `-nonce=${nonce}`, keys[1] as string);
  const encoded = (/Encoded Token\s+(\S+)/.exec(done) as RegExpExecArray)[1] as string;
  assert.match(done, /Complete\s+true/);
  const token = await ok('operator', 'generate-root', `-decode=${encoded}`, `-otp=${serverOtp}`);
  assert.match(token, /^hvs\.[0-9A-Za-z]{24}$/);
  const piped = await cli.run(['operator', 'generate-root', `-decode=${encoded}`, '-otp=-', '-format=json'], { input: serverOtp });
  assert.deepEqual(JSON.parse(piped.stdout), { token });
  const looked = JSON.parse((await cli.run(['token', 'lookup', '-format=json'], { env: { LOCKBOX_TOKEN: token } })).stdout);
  assert.deepEqual(looked.data.policies, ['root']);
});

test('generate-root: -status, -cancel, an OTP of the wrong length, -decode without -otp', async () => {
  assert.match(await ok('operator', 'generate-root', '-status'), /Started\s+false/);
  const short = await cli.run(['operator', 'generate-root', '-init', '-otp=abc']);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /\* OTP string is wrong length/);
  await ok('operator', 'generate-root', '-init', `-otp=${'C'.repeat(28)}`);
  assert.equal(await ok('operator', 'generate-root', '-cancel'), 'Success! Root token generation canceled (if it was started)\n');
  const noOtp = await cli.run(['operator', 'generate-root', '-decode=abc']);
  assert.deepEqual([noOtp.code, noOtp.stderr], [1, 'Missing otp: use -otp to supply it\n']);
  const none = await cli.run(['operator', 'generate-root', '-nonce=x', keys[0] as string]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^No root generation is in progress/);
});
