// `lockbox secrets`: enable (with its flags), list, tune, move and disable over sys/mounts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { useCliServer } from './helpers.js';

const suite = useCliServer();

/** The mount table as the server reports it. */
async function mounts(): Promise<Record<string, any>> {
  const r = await suite.srv.api('GET', 'sys/mounts');
  assert.equal(r.status, 200);
  return r.body.data;
}

test('list shows Path, Type, Accessor and Description; -format=json gives the table', async () => {
  const r = await suite.cli.run(['secrets', 'list']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0] ?? '', /^Path\s+Type\s+Accessor\s+Description$/);
  assert.match(lines[1] ?? '', /^----\s+----\s+--------\s+-----------$/);
  assert.match(r.stdout, /^cubbyhole\/\s+cubbyhole\s+\S+\s+\S.*$/m);
  assert.match(r.stdout, /^sys\/\s+system\s+/m);
  const json = JSON.parse((await suite.cli.run(['secrets', 'list', '-format=json'])).stdout);
  assert.equal(json['cubbyhole/'].type, 'cubbyhole');
  const detailed = await suite.cli.run(['secrets', 'list', '-detailed']);
  assert.match(detailed.stdout, /^Path\s+Plugin\s+Accessor\s+Default TTL\s+Max TTL\s+/);
});

test('enable with path, description, TTLs and options; then tune it', async () => {
  const r = await suite.cli.run(['secrets', 'enable', '-path=team-a', '-description=Team A scratch', '-default-lease-ttl=1h',
    '-max-lease-ttl=2h', '-options=colour=blue', 'cubbyhole']);
  assert.deepEqual([r.code, r.stdout], [0, 'Success! Enabled the cubbyhole secrets engine at: team-a/\n'], r.stderr);
  const entry = (await mounts())['team-a/'];
  assert.equal(entry.type, 'cubbyhole');
  assert.equal(entry.description, 'Team A scratch');
  assert.equal(entry.config.default_lease_ttl, 3600);
  assert.equal(entry.config.max_lease_ttl, 7200);
  assert.deepEqual(entry.options, { colour: 'blue' });

  const t = await suite.cli.run(['secrets', 'tune', '-max-lease-ttl=3h', '-description=renamed', 'team-a']);
  assert.deepEqual([t.code, t.stdout], [0, 'Success! Tuned the secrets engine at: team-a/\n'], t.stderr);
  const tuned = await suite.srv.api('GET', 'sys/mounts/team-a/tune');
  assert.equal(tuned.body.data.max_lease_ttl, 10800);
  assert.equal(tuned.body.data.description, 'renamed');
  assert.equal((await suite.cli.run(['secrets', 'tune', 'team-a'])).code, 1); // nothing to tune
});

test('enable kv with -version=2, and the kv-v2 shorthand', async () => {
  const r = await suite.cli.run(['secrets', 'enable', '-path=apps', '-version=2', 'kv']);
  assert.equal(r.code, 0, r.stderr);
  const short = await suite.cli.run(['secrets', 'enable', 'kv-v2']);
  assert.deepEqual([short.code, short.stdout], [0, 'Success! Enabled the kv-v2 secrets engine at: kv-v2/\n'], short.stderr);
  const table = await mounts();
  for (const path of ['apps/', 'kv-v2/']) {
    assert.equal(table[path].type, 'kv');
    assert.equal(table[path].options.version, '2');
  }
});

test('move keeps the data; disable removes the mount; a duplicate enable is exit 2', async () => {
  assert.equal((await suite.cli.run(['secrets', 'enable', '-path=old-place', 'kv'])).code, 0);
  assert.equal((await suite.cli.run(['write', 'old-place/x', 'v=1'])).code, 0);
  const dup = await suite.cli.run(['secrets', 'enable', '-path=old-place', 'kv']);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /Code: 400/);
  const m = await suite.cli.run(['secrets', 'move', 'old-place', 'new-place']);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /Success! Finished moving secrets engine old-place\/ to new-place\/\n$/);
  assert.equal((await suite.cli.run(['read', '-field=v', 'new-place/x'])).stdout, '1');
  const d = await suite.cli.run(['secrets', 'disable', 'new-place']);
  assert.deepEqual([d.code, d.stdout], [0, 'Success! Disabled the secrets engine (if it existed) at: new-place/\n']);
  const table = await mounts();
  assert.equal(table['new-place/'], undefined);
  assert.equal(table['old-place/'], undefined);
});
