// `lockbox status`: exit codes 0 (unsealed), 2 (sealed) and 1 (cannot ask), and the message
// for a server that is not there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';
import { cliFor, useCliServer, closedPort, type Cli } from './helpers.js';

const suite = useCliServer();

test('an unsealed server: exit 0 and the Key/Value table', async () => {
  const r = await suite.cli.run(['status']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0] ?? '', /^Key\s{4,}Value$/);
  assert.match(lines[1] ?? '', /^---\s{4,}-----$/);
  for (const row of [/^Seal Type\s+shamir$/m, /^Initialized\s+true$/m, /^Sealed\s+false$/m, /^Total Shares\s+1$/m,
    /^Threshold\s+1$/m, /^Version\s+\S+$/m, /^HA Enabled\s+false$/m]) assert.match(r.stdout, row);
  // Vault shows unseal progress only while sealed.
  assert.doesNotMatch(r.stdout, /Unseal Progress/);
  // Columns line up: every value starts at the same offset.
  const offsets = lines.filter((l) => l !== '').map((l) => /^\S+(?: \S+)*\s{2,}/.exec(l)?.[0].length);
  assert.equal(new Set(offsets).size, 1);
});

test('-format=json and VAULT_FORMAT give the seal status as JSON', async () => {
  for (const [args, env] of [[['status', '-format=json'], {}], [['status'], { VAULT_FORMAT: 'json' }]] as const) {
    const r = await suite.cli.run([...args], { env });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout);
    assert.equal(body.sealed, false);
    assert.equal(body.initialized, true);
    assert.equal(body.t, 1);
  }
});

test('an unknown output format is a usage error (exit 1)', async () => {
  const r = await suite.cli.run(['status', '-format=xml']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid output format: xml/);
});

test('a sealed (uninitialised) server: exit 2 with progress shown', async () => {
  const sealed = await startTestServer({ dev: false });
  const c = cliFor(sealed.url);
  try {
    const r = await c.run(['status']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^Initialized\s+false$/m);
    assert.match(r.stdout, /^Sealed\s+true$/m);
    assert.match(r.stdout, /^Unseal Progress\s+0\/0$/m);
    assert.match(r.stdout, /^Unseal Nonce\s+n\/a$/m);
  } finally {
    c.cleanup();
    await sealed.close();
  }
});

test('an unreachable server: status exits 1, other commands 2, naming the address', async () => {
  const port = await closedPort();
  const c = cliFor(`http://127.0.0.1:${port}`, 'root');
  try {
    const status = await c.run(['status']);
    assert.equal(status.code, 1);
    assert.equal(status.stdout, '');
    assert.match(status.stderr, new RegExp(`^Error checking seal status: Get "http://127\\.0\\.0\\.1:${port}/v1/sys/seal-status": `
      + `dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused\\n$`));
    const read = await c.run(['read', 'cubbyhole/x']);
    assert.equal(read.code, 2);
    assert.match(read.stderr, new RegExp(`dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused`));
  } finally {
    c.cleanup();
  }
});

test('the address comes from -address, then LOCKBOX_ADDR, then VAULT_ADDR', async () => {
  const port = await closedPort();
  const dead = `http://127.0.0.1:${port}`;
  const viaVault = await suite.cli.run(['status'], { env: { LOCKBOX_ADDR: undefined, VAULT_ADDR: suite.srv.url } });
  assert.equal(viaVault.code, 0, viaVault.stderr);
  const lockboxWins = await suite.cli.run(['status'], { env: { LOCKBOX_ADDR: suite.srv.url, VAULT_ADDR: dead } });
  assert.equal(lockboxWins.code, 0, lockboxWins.stderr);
  const flagWins = await suite.cli.run(['status', `-address=${suite.srv.url}`], { env: { LOCKBOX_ADDR: dead } });
  assert.equal(flagWins.code, 0, flagWins.stderr);
  const defaultAddr = await suite.cli.run(['status', `-address=${dead}`]);
  assert.match(defaultAddr.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
});
