// `lockbox policy`: write (file and stdin), read, list, delete over sys/policies/acl, and
// `fmt`, which rewrites a file locally.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

const POLICY = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';

test('write from a file, read it back verbatim, find it in the list', async () => {
  const file = join(suite.cli.home, 'app.hcl');
  writeFileSync(file, POLICY);
  const w = await suite.cli.run(['policy', 'write', 'App-Reader', file]);
  assert.deepEqual([w.code, w.stdout], [0, 'Success! Uploaded policy: App-Reader\n'], w.stderr);
  // Names are lower-cased, as Vault's CLI does before sending.
  const r = await suite.cli.run(['policy', 'read', 'app-reader']);
  assert.deepEqual([r.code, r.stdout], [0, POLICY], r.stderr);
  const list = await suite.cli.run(['policy', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split('\n').sort(), ['app-reader', 'default', 'root']);
  const json = await suite.cli.run(['policy', 'list', '-format=json']);
  assert.ok(JSON.parse(json.stdout).includes('app-reader'));
});

test('write from stdin; delete; a missing policy is exit 2', async () => {
  const w = await suite.cli.run(['policy', 'write', 'piped', '-'], { input: POLICY });
  assert.equal(w.code, 0, w.stderr);
  assert.equal((await suite.srv.api('GET', 'sys/policies/acl/piped')).body.data.policy, POLICY);
  const d = await suite.cli.run(['policy', 'delete', 'piped']);
  assert.deepEqual([d.code, d.stdout], [0, 'Success! Deleted policy: piped\n']);
  const r = await suite.cli.run(['policy', 'read', 'piped']);
  assert.deepEqual([r.code, r.stderr], [2, 'No policy named: piped\n']);
});

test('a policy the server rejects is an API error (exit 2); a missing file is exit 2 too, as Vault', async () => {
  const bad = await suite.cli.run(['policy', 'write', 'broken', '-'], { input: 'path "x" { capabilities = ' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Code: 400/);
  const missing = await suite.cli.run(['policy', 'write', 'nofile', join(suite.cli.home, 'absent.hcl')]);
  const absent = join(suite.cli.home, 'absent.hcl');
  assert.deepEqual([missing.code, missing.stderr.trimEnd()], [2, `Error opening policy file: open ${absent}: no such file or directory`]);
});

test('a token holding a written policy has its capabilities', async () => {
  writeFileSync(join(suite.cli.home, 'kv.hcl'), 'path "cubbyhole/shared/*" {\n  capabilities = ["read"]\n}\n');
  assert.equal((await suite.cli.run(['policy', 'write', 'narrow', join(suite.cli.home, 'kv.hcl')])).code, 0);
  const token = (await suite.cli.run(['token', 'create', '-policy=narrow', '-no-default-policy', '-field=token'])).stdout;
  const caps = await suite.cli.run(['token', 'capabilities', token, 'cubbyhole/shared/x']);
  assert.deepEqual([caps.code, caps.stdout], [0, 'read\n'], caps.stderr);
});

test('fmt rewrites a file in canonical HCL, keeping comments above blocks', async () => {
  const file = join(suite.cli.home, 'messy.hcl');
  writeFileSync(file, [
    '# Readers of app secrets',
    'path   "secret/app/*"   {',
    '      capabilities=["read","list"]',
    'min_wrapping_ttl = "1s"',
    '}',
    '',
    '',
    '// operators',
    'path "sys/*" { policy = "deny" }',
    '',
  ].join('\n'));
  const r = await suite.cli.run(['policy', 'fmt', file]);
  assert.deepEqual([r.code, r.stdout], [0, `Success! Formatted policy: ${file}\n`], r.stderr);
  assert.equal(readFileSync(file, 'utf8'), [
    '# Readers of app secrets',
    'path "secret/app/*" {',
    '  capabilities     = ["read", "list"]',
    '  min_wrapping_ttl = "1s"',
    '}',
    '',
    '// operators',
    'path "sys/*" {',
    '  policy = "deny"',
    '}',
    '',
  ].join('\n'));
  // Formatting is idempotent.
  const again = readFileSync(file, 'utf8');
  assert.equal((await suite.cli.run(['policy', 'fmt', file])).code, 0);
  assert.equal(readFileSync(file, 'utf8'), again);
});

test('fmt refuses invalid HCL and comments it cannot keep, leaving the file alone (exit 1)', async () => {
  const file = join(suite.cli.home, 'bad.hcl');
  for (const text of ['path "x" {\n  capabilities = [\n', 'path "x" {\n  # inside\n  capabilities = ["read"]\n}\n']) {
    writeFileSync(file, text);
    const r = await suite.cli.run(['policy', 'fmt', file]);
    assert.equal(r.code, 1);
    assert.notEqual(r.stderr, '');
    assert.equal(readFileSync(file, 'utf8'), text);
  }
});
