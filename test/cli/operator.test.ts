// `lockbox operator`: init, unseal (argument, stdin, -reset), seal, rotate and key-status on
// a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';
import { cliFor } from './helpers.js';

test('init, then unseal with a key argument and with stdin, then seal again', async () => {
  const srv = await startTestServer({ dev: false });
  const cli = cliFor(srv.url);
  try {
    const notYet = await cli.run(['operator', 'init', '-status']);
    assert.equal(notYet.code, 2);

    const init = await cli.run(['operator', 'init', '-key-shares=3', '-key-threshold=2']);
    assert.equal(init.code, 0, init.stderr);
    const keys = [...init.stdout.matchAll(/^Unseal Key (\d): (\S+)$/gm)].map((m) => m[2] as string);
    assert.equal(keys.length, 3);
    const root = /^Initial Root Token: (\S+)$/m.exec(init.stdout)?.[1];
    assert.ok(root);
    assert.equal((await cli.run(['operator', 'init', '-status'])).code, 0);

    const sealed = await cli.run(['status']);
    assert.equal(sealed.code, 2);
    assert.match(sealed.stdout, /^Unseal Progress\s+0\/2$/m);

    const first = await cli.run(['operator', 'unseal', keys[0] as string]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Sealed\s+true$/m);
    assert.match(first.stdout, /^Unseal Progress\s+1\/2$/m);

    // -reset forgets the share given so far.
    const reset = await cli.run(['operator', 'unseal', '-reset']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^Unseal Progress\s+0\/2$/m);

    assert.equal((await cli.run(['operator', 'unseal', keys[1] as string])).code, 0);
    // No argument and stdin is not a terminal: the key is read from stdin.
    const last = await cli.run(['operator', 'unseal'], { input: `${keys[2]}\n` });
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /^Sealed\s+false$/m);
    assert.equal((await cli.run(['status'])).code, 0);

    const seal = await cli.run(['operator', 'seal'], { env: { LOCKBOX_TOKEN: root } });
    assert.equal(seal.code, 0, seal.stderr);
    assert.match(seal.stdout, /^Success! .*sealed/);
    assert.equal((await cli.run(['status'])).code, 2);
  } finally {
    cli.cleanup();
    await srv.close();
  }
});

test('init -format=json gives keys and root token; a second init is an API error (exit 2)', async () => {
  const srv = await startTestServer({ dev: false });
  const cli = cliFor(srv.url);
  try {
    const init = await cli.run(['operator', 'init', '-key-shares=1', '-key-threshold=1', '-format=json']);
    assert.equal(init.code, 0, init.stderr);
    const body = JSON.parse(init.stdout);
    assert.equal(body.unseal_keys_b64.length, 1);
    assert.equal(body.unseal_keys_hex.length, 1);
    assert.equal(body.unseal_threshold, 1);
    assert.match(body.root_token, /\S+/);
    const again = await cli.run(['operator', 'init', '-key-shares=1', '-key-threshold=1']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Error making API request\.\n\nURL: PUT http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/init\nCode: 400\. Errors:\n\n\* /);
  } finally {
    cli.cleanup();
    await srv.close();
  }
});

test('unseal with no key on empty stdin is a usage error (exit 1)', async () => {
  const srv = await startTestServer({ dev: false });
  const cli = cliFor(srv.url);
  try {
    const r = await cli.run(['operator', 'unseal']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no unseal key/);
  } finally {
    cli.cleanup();
    await srv.close();
  }
});

test('rotate adds a key term that key-status reports', async () => {
  const srv = await startTestServer();
  const cli = cliFor(srv.url, srv.rootToken);
  try {
    const before = await cli.run(['operator', 'key-status']);
    assert.equal(before.code, 0, before.stderr);
    const term = Number(/^Key Term\s+(\d+)$/m.exec(before.stdout)?.[1]);
    assert.match(before.stdout, /^Install Time\s+\S+$/m);
    const rotate = await cli.run(['operator', 'rotate']);
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.match(rotate.stdout, /^Success! Rotated key\n\n/);
    assert.match(rotate.stdout, new RegExp(`^Key Term\\s+${term + 1}$`, 'm'));
    const json = await cli.run(['operator', 'key-status', '-format=json']);
    assert.equal(JSON.parse(json.stdout).term, term + 1);
  } finally {
    cli.cleanup();
    await srv.close();
  }
});

test('a bare group prints its subcommands (exit 127); an unknown one is exit 1', async () => {
  const cli = cliFor('http://127.0.0.1:1');
  try {
    const bare = await cli.run(['operator']);
    assert.equal(bare.code, 127);
    assert.match(bare.stderr, /unseal/);
    const unknown = await cli.run(['operator', 'frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown subcommand "operator frobnicate"/);
    const help = await cli.run(['operator', 'init', '-help']);
    assert.equal(help.code, 0);
    // Vault writes help to stderr, keeping stdout for output.
    assert.match(help.stderr, /-key-shares/);
  } finally {
    cli.cleanup();
  }
});
