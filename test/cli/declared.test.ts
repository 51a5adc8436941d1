// Every command's flags come from its declaration: each declared flag parses (with a value of
// its kind), an unknown flag is refused on every command with Vault's text and exit code 1,
// flags before a subcommand and unknown commands answer as Vault's CLI does, and -h prints
// the synopsis, a paragraph, the grouped flags and examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type FlagSpec } from '../../src/cli/args.js';
import type { Group, Subcommand } from '../../src/cli/command.js';
import { ROOT } from '../../src/cli/main.js';
import { allFlags, complete, isGroup, leafHelp } from '../../src/cli/tree.js';
import { closedPort, runLockbox } from './helpers.js';

/** Every declared command with its path. */
function leaves(group: Group, path: string[] = []): Array<[string[], Subcommand]> {
  return Object.entries(group.subcommands).flatMap(([name, node]) =>
    isGroup(node) ? leaves(node, [...path, name]) : [[[...path, name], node] as [string[], Subcommand]]);
}

const SAMPLE: Record<FlagSpec['kind'], string> = { bool: 'true', string: 'x', int: '3', duration: '90s', strings: 'a,b', map: 'k=v' };

test('the tree holds the commands Vault users type', () => {
  const names = leaves(ROOT).map(([p]) => p.join(' '));
  for (const n of ['read', 'write', 'delete', 'list', 'login', 'server', 'status', 'unwrap', 'version', 'token create',
    'kv get', 'kv metadata put', 'operator init', 'secrets enable', 'auth enable', 'audit enable', 'lease revoke', 'policy fmt']) {
    assert.ok(names.includes(n), n);
  }
});

test('every declared flag of every command parses from its declaration, aliases included', () => {
  for (const [path, leaf] of leaves(ROOT)) {
    const specs = allFlags(leaf);
    const names = specs.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, `${path.join(' ')} declares a flag twice`);
    for (const spec of specs) {
      assert.ok(spec.usage.length > 0, `${path.join(' ')} -${spec.name} has no usage`);
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        const a = parseArgs([`-${name}=${SAMPLE[spec.kind]}`, 'pos'], specs);
        assert.equal(a.flag(spec.name), SAMPLE[spec.kind], `${path.join(' ')} -${name}`);
        assert.deepEqual(a.positional, ['pos']);
      }
    }
  }
});

test('an unknown flag on every command: Vault\'s message, exit 1, nothing sent', async () => {
  // A closed port: a command that tried the server would exit 2, not 1.
  const addr = `http://127.0.0.1:${await closedPort()}`;
  for (const [path] of leaves(ROOT)) {
    const r = await runLockbox([...path, '-bogus-flag=1', 'arg'], { LOCKBOX_ADDR: addr, HOME: tmpdir() });
    assert.equal(r.code, 1, `${path.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, 'flag provided but not defined: -bogus-flag\n', path.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('flags before the subcommand are refused with Vault\'s text and exit 1', async () => {
  const r = await runLockbox(['-address=http://127.0.0.1:1', 'token', 'create'], {});
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Invalid flags before the subcommand\. If these flags are for\nthe subcommand, please put them after the subcommand\.\n\nUsage: lockbox token create \[options\]/);
  const nested = await runLockbox(['kv', '-mount=secret', 'get', 'foo'], {});
  assert.equal(nested.code, 1);
  assert.match(nested.stderr, /^Invalid flags before the subcommand/);
});

test('an unknown command suggests the closest ones; exit 127 at the top, 1 below a group', async () => {
  const top = await runLockbox(['tken'], {});
  assert.equal(top.code, 127);
  assert.match(top.stderr, /^Unknown command "tken"\nDid you mean "token"\?\n\nUsage: lockbox <command> \[args\]\n\nCommon commands:\n/);
  const sub = await runLockbox(['kv', 'gte', 'secret/x'], {});
  assert.equal(sub.code, 1);
  assert.match(sub.stderr, /^Unknown subcommand "kv gte"\nDid you mean "get"\?\n/);
  const far = await runLockbox(['qqqqqqq'], {});
  assert.match(far.stderr, /^Unknown command "qqqqqqq"\n\nUsage:/);
});

test('-h, -help and --help print the command\'s help on stderr, exit 0, anywhere on the line', async () => {
  for (const argv of [['kv', 'get', '-h'], ['kv', '-help', 'get'], ['kv', 'get', 'secret/x', '--help']]) {
    const r = await runLockbox(argv, {});
    assert.equal(r.code, 0, argv.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: lockbox kv get \[options\] KEY\n/);
  }
  const group = await runLockbox(['token', '-h'], {});
  assert.equal(group.code, 0);
  assert.match(group.stderr, /^Usage: lockbox token <subcommand> \[options\] \[args\]\n\n.*\n\nSubcommands:\n    capabilities    /s);
});

test('help snapshots: the layout is Vault\'s (usage, paragraph, examples, grouped flags)', () => {
  const find = (p: string) => (leaves(ROOT).find(([path]) => path.join(' ') === p) as [string[], Subcommand])[1];
  assert.equal(leafHelp(['lease', 'revoke'], find('lease revoke')), `Usage: lockbox lease revoke [options] ID

  Revokes a lease, or with -prefix every lease under the given prefix; the
  engine revokes the secret behind each.

      $ lockbox lease revoke database/creds/readonly/2f6a614c
      $ lockbox lease revoke -prefix database/creds/

HTTP Options:

  -address=<string>
      Address of the Lockbox (or Vault) server. The default is
      http://127.0.0.1:8200. This can also be specified via the LOCKBOX_ADDR
      or VAULT_ADDR environment variables.

  -ca-cert=<string>
      Path on the local disk to a PEM-encoded CA certificate to verify the
      server's TLS certificate with. This can also be specified via the
      LOCKBOX_CACERT or VAULT_CACERT environment variables.

  -tls-skip-verify
      Do not verify the server's TLS certificate. This is dangerous: anyone on
      the path can read and change the traffic. The default is false. This can
      also be specified via the LOCKBOX_SKIP_VERIFY or VAULT_SKIP_VERIFY
      environment variables.

  -wrap-ttl=<duration>
      Wrap the response in a cubbyhole token that lives this long (e.g. "5m");
      the secret is read later with "lockbox unwrap". This can also be
      specified via the LOCKBOX_WRAP_TTL or VAULT_WRAP_TTL environment
      variables.

Command Options:

  -force
      With -prefix: forget the leases even when the engine fails to revoke
      them. This is dangerous: the secrets may stay valid with nothing left to
      revoke them. The default is false. Also -f.

  -prefix
      Treat ID as a prefix and revoke every lease under it. The default is
      false.
`);
  for (const p of ['kv get', 'token create', 'operator init', 'server', 'secrets enable']) {
    const text = leafHelp(p.split(' '), find(p));
    assert.match(text, new RegExp(`^Usage: lockbox ${p} `));
    for (const f of allFlags(find(p))) assert.ok(text.includes(`\n  -${f.name}`), `${p} -${f.name}`);
  }
  assert.match(leafHelp(['kv', 'get'], find('kv get')), /\nHTTP Options:\n[\s\S]*\nOutput Options:\n[\s\S]*\nCommand Options:\n/);
});

test('completion answers from the declarations (the COMP_LINE protocol)', async () => {
  assert.deepEqual(complete('lockbox to', ROOT), ['token']);
  assert.deepEqual(complete('lockbox token c', ROOT), ['capabilities', 'create']);
  assert.deepEqual(complete('lockbox token create -pol', ROOT), ['-policy']);
  assert.deepEqual(complete('lockbox kv get -format=j', ROOT), ['-format=json']);
  assert.deepEqual(complete('lockbox token create -type ', ROOT), ['service', 'batch']);
  assert.deepEqual(complete('lockbox kv metadata ', ROOT), ['delete', 'get', 'patch', 'put']);
  const r = await runLockbox([], { COMP_LINE: 'lockbox operator un', COMP_POINT: '19' });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'unseal\n');
});

test('-autocomplete-install writes the shell hooks once; -autocomplete-uninstall removes them', async () => {
  const home = mkdtempSync(join(tmpdir(), 'lockbox-complete-'));
  try {
    writeFileSync(join(home, '.bashrc'), '# mine\n');
    writeFileSync(join(home, '.zshrc'), '');
    const r = await runLockbox(['-autocomplete-install'], { HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(home, '.bashrc'), 'utf8'), /^# mine\n\ncomplete -C \/\S+\/bin\/lockbox lockbox\n$/);
    assert.match(readFileSync(join(home, '.zshrc'), 'utf8'), /autoload -U \+X bashcompinit && bashcompinit\ncomplete -o nospace -C \S+ lockbox\n/);
    const again = await runLockbox(['-autocomplete-install'], { HOME: home });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already installed in .*\.bashrc/);
    assert.equal((await runLockbox(['-autocomplete-uninstall'], { HOME: home })).code, 0);
    assert.doesNotMatch(readFileSync(join(home, '.bashrc'), 'utf8'), /complete/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
