// Files written by `lockbox sops` are real SOPS files: the third-party `sops-age` package (a
// SOPS reader that knows only age keys) decrypts them with the age identity alone, YAML and
// JSON, while Lockbox decrypts the same files with the transit key alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { useCliServer } from '../helpers.js';

const suite = useCliServer();

for (const [format, name, text, expected] of [
  ['YAML', 'app.yaml', 'db:\n  password: hunter2 # rotated monthly\n  port: 5432\nlist:\n  - a\n  - b\n', { db: { password: 'hunter2', port: 5432 }, list: ['a', 'b'] }],
  ['JSON', 'app.json', JSON.stringify({ token: 's3cr3t-token', nested: { n: 1.5, ok: true } }), { token: 's3cr3t-token', nested: { n: 1.5, ok: true } }],
] as const) {
  test(`${format}: sops-age decrypts with the age key; Lockbox with the transit key`, async () => {
    const { srv, cli } = suite;
    const mount = `sops-tp-${format.toLowerCase()}`;
    await srv.api('POST', `sys/mounts/${mount}`, { type: 'transit' });
    await srv.api('POST', `${mount}/keys/app`, {});
    const identity = await generateIdentity();
    const plain = join(cli.home, name);
    writeFileSync(plain, text);
    const enc = await cli.run(['sops', 'encrypt', `-hc-vault-transit=${srv.url}/v1/${mount}/keys/app`, `-age=${await identityToRecipient(identity)}`, plain]);
    assert.equal(enc.code, 0, enc.stderr);
    const encrypted = join(cli.home, `enc.${name}`);
    writeFileSync(encrypted, enc.stdout);

    const byThirdParty = await decryptSops({ path: encrypted, secretKey: identity });
    assert.deepEqual(byThirdParty, expected);

    const byLockbox = await cli.run(['sops', 'decrypt', encrypted], { env: { SOPS_AGE_KEY: '' } });
    assert.equal(byLockbox.code, 0, byLockbox.stderr);
    assert.deepEqual(format === 'YAML' ? parse(byLockbox.stdout) : JSON.parse(byLockbox.stdout), expected);
  });
}
