// `lockbox sops encrypt|decrypt` on YAML and JSON files, with a transit key and an age key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { useCliServer } from '../helpers.js';

const suite = useCliServer();

test('YAML: encrypt with -hc-vault-transit and -age, decrypt with the token or SOPS_AGE_KEY alone', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/sops', { type: 'transit' });
  await srv.api('POST', 'sops/keys/app', {});
  const identity = await generateIdentity();
  const plain = join(cli.home, 'secrets.yaml');
  writeFileSync(plain, 'db:\n  password: hunter2\n  port: 5432\n');
  const enc = await cli.run(['sops', 'encrypt', `-hc-vault-transit=${srv.url}/v1/sops/keys/app`, `-age=${await identityToRecipient(identity)}`, plain]);
  assert.equal(enc.code, 0, enc.stderr);
  assert.match(enc.stdout, /password: ENC\[AES256_GCM,/);
  const encrypted = join(cli.home, 'secrets.enc.yaml');
  writeFileSync(encrypted, enc.stdout);
  const viaToken = await cli.run(['sops', 'decrypt', encrypted]);
  assert.equal(viaToken.code, 0, viaToken.stderr);
  assert.deepEqual(parse(viaToken.stdout), { db: { password: 'hunter2', port: 5432 } });
  const viaAge = await cli.run(['sops', 'decrypt', encrypted], { env: { LOCKBOX_TOKEN: '', SOPS_AGE_KEY: identity } });
  assert.equal(viaAge.code, 0, viaAge.stderr);
  assert.deepEqual(parse(viaAge.stdout), { db: { password: 'hunter2', port: 5432 } });
});

test('JSON: a tampered file fails with sops\'s MAC error', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/sops2', { type: 'transit' });
  await srv.api('POST', 'sops2/keys/app', {});
  const plain = join(cli.home, 'secrets.json');
  writeFileSync(plain, JSON.stringify({ token: 'abc', owner_unencrypted: 'ops' }));
  const enc = await cli.run(['sops', 'encrypt', `-hc-vault-transit=${srv.url}/v1/sops2/keys/app`, plain]);
  assert.equal(enc.code, 0, enc.stderr);
  const doc = JSON.parse(enc.stdout);
  assert.equal(doc.owner_unencrypted, 'ops');
  doc.owner_unencrypted = 'mallory';
  const tampered = join(cli.home, 'tampered.json');
  writeFileSync(tampered, JSON.stringify(doc));
  const dec = await cli.run(['sops', 'decrypt', tampered]);
  assert.equal(dec.code, 1);
  assert.match(dec.stderr, /MAC mismatch/);
});

test('.sops.yaml creation_rules pick keys and selectors by path; rotate and updatekeys keep the file readable', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/rules', { type: 'transit' });
  await srv.api('POST', 'rules/keys/prod', {});
  await srv.api('POST', 'rules/keys/dev', {});
  const config = join(cli.home, '.sops.yaml');
  writeFileSync(config, [
    'creation_rules:',
    '  - path_regex: prod/.*\\.yaml$',
    `    hc_vault_transit_uri: "${srv.url}/v1/rules/keys/prod"`,
    '    encrypted_regex: ^(data|stringData)$',
    `  - hc_vault_transit_uri: "${srv.url}/v1/rules/keys/dev"`,
    '',
  ].join('\n'));
  mkdirSync(join(cli.home, 'prod'), { recursive: true });
  const secret = join(cli.home, 'prod', 'secret.yaml');
  writeFileSync(secret, 'kind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n');
  const enc = await cli.run(['sops', 'encrypt', `-config=${config}`, '-in-place', secret]);
  assert.equal(enc.code, 0, enc.stderr);
  const written = readFileSync(secret, 'utf8');
  assert.match(written, /name: db/); // outside encrypted_regex: clear
  assert.match(written, /password: ENC\[/);
  assert.match(written, /key_name: prod/);
  assert.match(written, /encrypted_regex: \^\(data\|stringData\)\$/);
  const other = join(cli.home, 'other.json');
  writeFileSync(other, JSON.stringify({ a: 'b' }));
  const enc2 = await cli.run(['sops', 'encrypt', `-config=${config}`, other]);
  assert.match(enc2.stdout, /"key_name": "dev"/);

  const rotated = await cli.run(['sops', 'rotate', '-in-place', secret]);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.notEqual(readFileSync(secret, 'utf8'), written);
  // Point the prod rule at the dev key, then updatekeys: the file now opens through dev only.
  writeFileSync(config, `creation_rules:\n  - hc_vault_transit_uri: "${srv.url}/v1/rules/keys/dev"\n`);
  const updated = await cli.run(['sops', 'updatekeys', `-config=${config}`, secret]);
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(readFileSync(secret, 'utf8'), /key_name: dev/);
  const dec = await cli.run(['sops', 'decrypt', secret]);
  assert.equal(dec.code, 0, dec.stderr);
  assert.match(dec.stdout, /password: hunter2/);
});

test('exec-env and exec-file hand the cleartext to a command without writing it to stdout', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/exec', { type: 'transit' });
  await srv.api('POST', 'exec/keys/app', {});
  const plain = join(cli.home, 'app.json');
  writeFileSync(plain, JSON.stringify({ APP_SECRET: 'hunter2' }));
  const enc = await cli.run(['sops', 'encrypt', `-hc-vault-transit=${srv.url}/v1/exec/keys/app`, plain]);
  const encrypted = join(cli.home, 'app.enc.json');
  writeFileSync(encrypted, enc.stdout);
  const env = await cli.run(['sops', 'exec-env', encrypted, 'test "$APP_SECRET" = hunter2 && echo matched']);
  assert.deepEqual([env.code, env.stdout.trim()], [0, 'matched']);
  const file = await cli.run(['sops', 'exec-file', encrypted, 'grep -c hunter2 {}']);
  assert.deepEqual([file.code, file.stdout.trim()], [0, '1']);
});

test('edit re-encrypts what the editor saved, to the same keys', async () => {
  const { srv, cli } = suite;
  await srv.api('POST', 'sys/mounts/edit', { type: 'transit' });
  await srv.api('POST', 'edit/keys/app', {});
  const plain = join(cli.home, 'edit.yaml');
  writeFileSync(plain, 'password: old\n');
  const enc = await cli.run(['sops', 'encrypt', `-hc-vault-transit=${srv.url}/v1/edit/keys/app`, '-in-place', plain]);
  assert.equal(enc.code, 0, enc.stderr);
  // The "editor" is a shell command that rewrites the value, as a person would.
  const edited = await cli.run(['sops', 'edit', plain], { env: { EDITOR: "sed -i 's/old/new/'" } });
  assert.equal(edited.code, 0, edited.stderr);
  assert.ok(!readFileSync(plain, 'utf8').includes('new'));
  const dec = await cli.run(['sops', 'decrypt', plain]);
  assert.equal(dec.stdout, 'password: new\n');
});
