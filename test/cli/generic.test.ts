// read, write, list and delete against cubbyhole/, the data argument forms, and Vault's
// error layout for an API error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

test('write then read shows a sorted Key/Value table', async () => {
  const w = await suite.cli.run(['write', 'cubbyhole/app', 'zeta=last', 'alpha=first']);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, 'Success! Data written to: cubbyhole/app\n');
  const r = await suite.cli.run(['read', 'cubbyhole/app']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Key      Value\n---      -----\nalpha    first\nzeta     last\n');
});

test('-field prints the raw value without a newline; a missing field is exit 1', async () => {
  await suite.cli.run(['write', 'cubbyhole/field', 'password=s3cr3t']);
  const r = await suite.cli.run(['read', '-field=password', 'cubbyhole/field']);
  assert.deepEqual([r.code, r.stdout], [0, 's3cr3t']);
  const missing = await suite.cli.run(['read', '-field=nope', 'cubbyhole/field']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Field "nope" not present/);
});

test('-format=json prints the whole response', async () => {
  await suite.cli.run(['write', 'cubbyhole/json', 'a=1']);
  const r = await suite.cli.run(['read', '-format=json', 'cubbyhole/json']);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.deepEqual(body.data, { a: '1' });
  assert.equal(body.lease_duration, 0);
  assert.ok('request_id' in body);
});

test('data from stdin JSON, from key=@file, from key=- and repeated keys', async () => {
  const stdin = await suite.cli.run(['write', 'cubbyhole/stdin', '-'], { input: JSON.stringify({ n: 5, list: ['x', 'y'] }) });
  assert.equal(stdin.code, 0, stdin.stderr);
  const read = await suite.srv.api('GET', 'cubbyhole/stdin');
  assert.deepEqual(read.body.data, { n: 5, list: ['x', 'y'] });

  const file = join(suite.cli.home, 'cert.pem');
  writeFileSync(file, '-----BEGIN-----\nabc\n');
  assert.equal((await suite.cli.run(['write', 'cubbyhole/file', `cert=@${file}`, 'tag=a', 'tag=b'])).code, 0);
  const fromFile = await suite.srv.api('GET', 'cubbyhole/file');
  assert.deepEqual(fromFile.body.data, { cert: '-----BEGIN-----\nabc\n', tag: ['a', 'b'] });

  assert.equal((await suite.cli.run(['write', 'cubbyhole/dash', 'v=-'], { input: 'piped' })).code, 0);
  assert.deepEqual((await suite.srv.api('GET', 'cubbyhole/dash')).body.data, { v: 'piped' });
});

test('list shows Keys; -format=json gives an array; nothing there is exit 2', async () => {
  await suite.cli.run(['write', 'cubbyhole/dir/one', 'a=1']);
  await suite.cli.run(['write', 'cubbyhole/dir/sub/two', 'a=1']);
  const r = await suite.cli.run(['list', 'cubbyhole/dir']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Keys\n----\none\nsub/\n');
  const json = await suite.cli.run(['list', '-format=json', 'cubbyhole/dir/']);
  assert.deepEqual(JSON.parse(json.stdout), ['one', 'sub/']);
  const none = await suite.cli.run(['list', 'cubbyhole/empty']);
  assert.equal(none.code, 2);
  assert.equal(none.stderr, 'No value found at cubbyhole/empty\n');
});

test('delete, then read is "No value found" with exit 2', async () => {
  await suite.cli.run(['write', 'cubbyhole/gone', 'a=1']);
  const d = await suite.cli.run(['delete', 'cubbyhole/gone']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, 'Success! Data deleted (if it existed) at: cubbyhole/gone\n');
  const r = await suite.cli.run(['read', 'cubbyhole/gone']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'No value found at cubbyhole/gone\n']);
});

test('write without data needs -force (exit 1); a bad pair is exit 1', async () => {
  const r = await suite.cli.run(['write', 'cubbyhole/x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Must supply data or use -force/);
  const bad = await suite.cli.run(['write', 'cubbyhole/x', 'novalue']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid key\/value pair "novalue"/);
  const few = await suite.cli.run(['read']);
  assert.equal(few.code, 1);
  assert.match(few.stderr, /Not enough arguments \(expected at least 1, got 0\)/);
});

test('an API error is printed in Vault\'s layout with exit 2', async () => {
  const r = await suite.cli.run(['read', 'cubbyhole/x'], { env: { LOCKBOX_TOKEN: 'not-a-real-token' } });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `Error reading cubbyhole/x: Error making API request.\n\nURL: GET ${suite.srv.url}/v1/cubbyhole/x\n`
    + 'Code: 403. Errors:\n\n* permission denied\n');
});

test('the token comes from LOCKBOX_TOKEN, then VAULT_TOKEN, then ~/.vault-token', async () => {
  await suite.cli.run(['write', 'cubbyhole/who', 'me=root']);
  const viaVault = await suite.cli.run(['read', '-field=me', 'cubbyhole/who'], { env: { LOCKBOX_TOKEN: undefined, VAULT_TOKEN: suite.srv.rootToken } });
  assert.equal(viaVault.stdout, 'root');
  const lockboxWins = await suite.cli.run(['read', '-field=me', 'cubbyhole/who'], { env: { VAULT_TOKEN: 'bogus' } });
  assert.equal(lockboxWins.stdout, 'root');
  writeFileSync(join(suite.cli.home, '.vault-token'), `${suite.srv.rootToken}\n`);
  const viaFile = await suite.cli.run(['read', '-field=me', 'cubbyhole/who'], { env: { LOCKBOX_TOKEN: undefined } });
  assert.equal(viaFile.stdout, 'root', viaFile.stderr);
});

test('an envelope-free sys/ answer reads as data', async () => {
  const r = await suite.cli.run(['read', 'sys/seal-status']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sealed\s+false$/m);
});

test('-wrap-ttl wraps a response; unwrap returns it once', async () => {
  await suite.cli.run(['write', 'cubbyhole/wrapme', 'secret=inside']);
  const wrapped = await suite.cli.run(['read', '-wrap-ttl=1m', 'cubbyhole/wrapme']);
  assert.equal(wrapped.code, 0, wrapped.stderr);
  assert.match(wrapped.stdout, /^wrapping_token:\s+\S+$/m);
  assert.match(wrapped.stdout, /^wrapping_token_ttl:\s+1m$/m);
  assert.doesNotMatch(wrapped.stdout, /inside/);
  const token = (await suite.cli.run(['read', '-wrap-ttl=1m', '-field=wrapping_token', 'cubbyhole/wrapme'])).stdout;
  const unwrapped = await suite.cli.run(['unwrap', '-field=secret', token]);
  assert.deepEqual([unwrapped.code, unwrapped.stdout], [0, 'inside'], unwrapped.stderr);
  assert.equal((await suite.cli.run(['unwrap', token])).code, 2);
});

test('https:// at a plain-HTTP listener says so, in Go\'s words', async () => {
  const r = await suite.cli.run(['read', 'sys/mounts'], { env: { LOCKBOX_ADDR: suite.srv.url.replace('http://', 'https://') } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error reading sys\/mounts: Get "https:\/\/127\.0\.0\.1:\d+\/v1\/sys\/mounts": http: server gave HTTP response to HTTPS client\n$/);
});
