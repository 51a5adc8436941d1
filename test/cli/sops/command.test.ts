// `lockbox sops encrypt|decrypt` on YAML and JSON files, with a transit key and an age key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
