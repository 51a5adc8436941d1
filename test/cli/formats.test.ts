// -format=yaml|raw|pretty beside table/json, path-help from the server's ?help=1, `print token`
// and the token helper file (~/.vault-token, LOCKBOX_TOKEN_FILE) shared with Vault's CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

test('-format=yaml prints the same data as -format=json, keys sorted, lists unindented as Go writes them', async () => {
  await suite.cli.run(['write', 'cubbyhole/y', 'b=2', 'a=x', 'a=y']);
  const json = await suite.cli.run(['read', '-format=json', 'cubbyhole/y']);
  const yaml = await suite.cli.run(['read', '-format=yaml', 'cubbyhole/y']);
  assert.equal(yaml.code, 0, yaml.stderr);
  const withoutId = (v: unknown) => ({ ...(v as object), request_id: '' });
  assert.deepEqual(withoutId(parse(yaml.stdout)), withoutId(JSON.parse(json.stdout)));
  assert.match(yaml.stdout, /^data:\n  a:\n  - x\n  - y\n  b: "2"\n/m);
  const yml = await suite.cli.run(['read', 'cubbyhole/y'], { env: { VAULT_FORMAT: 'yml' } });
  assert.deepEqual(withoutId(parse(yml.stdout)), withoutId(parse(yaml.stdout)));
  const list = await suite.cli.run(['list', '-format=yaml', 'cubbyhole/']);
  assert.ok((parse(list.stdout) as string[]).includes('y'), list.stdout);
  const field = await suite.cli.run(['read', '-format=yaml', '-field=a', 'cubbyhole/y']);
  assert.equal(field.stdout, '- x\n- y\n');
  const token = await suite.cli.run(['token', 'lookup', '-format=yaml']);
  assert.equal(token.code, 0, token.stderr);
  assert.deepEqual((parse(token.stdout) as { data: { policies: string[] } }).data.policies, ['root']);
});

test('-format=raw is read\'s alone and prints the body as the server sent it', async () => {
  await suite.cli.run(['write', 'cubbyhole/raw', 'k=v']);
  const r = await suite.cli.run(['read', '-format=raw', 'cubbyhole/raw']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { data: { k: string } }).data.k, 'v');
  assert.ok(r.stdout.endsWith('}\n'));
  const missing = await suite.cli.run(['read', '-format=raw', 'cubbyhole/none']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Error reading: cubbyhole\/none: Error making API request\./);
  const write = await suite.cli.run(['write', '-format=raw', 'cubbyhole/raw2', 'k=v']);
  assert.equal(write.code, 1);
  assert.match(write.stderr, /does not support the -format=raw option; only `lockbox read` does/);
  // Refused before the request: nothing was written.
  assert.equal((await suite.cli.run(['read', 'cubbyhole/raw2'])).code, 2);
});

test('-format=pretty and unknown formats are refused with exit 1', async () => {
  const pretty = await suite.cli.run(['read', '-format=pretty', 'cubbyhole/raw']);
  assert.deepEqual([pretty.code, pretty.stdout], [1, '']);
  assert.match(pretty.stderr, /cannot use the pretty formatter for this type/);
  const bad = await suite.cli.run(['read', '-format=xml', 'cubbyhole/raw']);
  assert.deepEqual([bad.code, bad.stderr], [1, 'Invalid output format: xml\n']);
});

test('path-help prints the server\'s ?help=1 text; -format=json the whole answer', async () => {
  const r = await suite.cli.run(['path-help', 'sys/mounts']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Request:\s+sys\/mounts$/m);
  assert.match(r.stdout, /## OPERATIONS/);
  const j = await suite.cli.run(['path-help', '-format=json', 'auth/token/create']);
  assert.equal(j.code, 0, j.stderr);
  const body = JSON.parse(j.stdout) as { help: string; openapi: unknown };
  assert.match(body.help, /policies/);
  assert.ok(body.openapi);
  const denied = await suite.cli.run(['path-help', 'sys/mounts'], { env: { LOCKBOX_TOKEN: 'not-a-token' } });
  assert.equal(denied.code, 2);
  assert.match(denied.stderr, /^Error retrieving help: Error making API request\./);
  assert.equal((await suite.cli.run(['path-help'])).code, 1);
});

test('print token prints the token in use: environment first, then the token helper file', async () => {
  const env = await suite.cli.run(['print', 'token']);
  assert.deepEqual([env.code, env.stdout], [0, `${suite.srv.rootToken}\n`]);
  const none = await suite.cli.run(['print', 'token'], { env: { LOCKBOX_TOKEN: undefined } });
  assert.deepEqual([none.code, none.stdout], [0, '']);
  writeFileSync(join(suite.cli.home, '.vault-token'), 'from-vault-file\n');
  const file = await suite.cli.run(['print', 'token'], { env: { LOCKBOX_TOKEN: undefined } });
  assert.equal(file.stdout, 'from-vault-file\n');
  const other = join(suite.cli.home, 'elsewhere');
  writeFileSync(other, 'from-chosen-file');
  const chosen = await suite.cli.run(['print', 'token'], { env: { LOCKBOX_TOKEN: undefined, LOCKBOX_TOKEN_FILE: other } });
  assert.equal(chosen.stdout, 'from-chosen-file\n');
});

test('login writes ~/.vault-token, the file Vault\'s CLI reads, or LOCKBOX_TOKEN_FILE when set', async () => {
  const home = join(suite.cli.home, '.vault-token');
  const r = await suite.cli.run(['login', '-no-print', suite.srv.rootToken], { env: { LOCKBOX_TOKEN: undefined } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(home, 'utf8'), suite.srv.rootToken);
  const other = join(suite.cli.home, 'chosen-token');
  const c = await suite.cli.run(['login', suite.srv.rootToken], { env: { LOCKBOX_TOKEN: undefined, LOCKBOX_TOKEN_FILE: other } });
  assert.equal(c.code, 0, c.stderr);
  assert.equal(readFileSync(other, 'utf8'), suite.srv.rootToken);
  assert.match(c.stdout, new RegExp(`stored in ${other}`));
});

test('VAULT_FORMAT=pretty or raw leaves commands without -format alone', async () => {
  const v = await suite.cli.run(['version'], { env: { VAULT_FORMAT: 'pretty' } });
  assert.equal(v.code, 0, v.stderr);
  const d = await suite.cli.run(['delete', 'cubbyhole/nothing'], { env: { VAULT_FORMAT: 'raw' } });
  assert.deepEqual([d.code, d.stdout], [0, 'Success! Data deleted (if it existed) at: cubbyhole/nothing\n']);
});
