// `lockbox kv` on v2 and v1 mounts: writes, reads, versions, patch, rollback and metadata.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

let srv: TestServer;
let cli: Cli;
before(async () => {
  srv = await startTestServer();
  cli = cliFor(srv.url, srv.rootToken);
  for (const args of [['-path=kv2', '-version=2', 'kv'], ['-path=kv1', 'kv']]) {
    const r = await cli.run(['secrets', 'enable', ...args]);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  cli.cleanup();
  await srv.close();
});

/** Runs a kv command that must succeed and returns its stdout. */
async function ok(...args: string[]): Promise<string> {
  const r = await cli.run(['kv', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('put on v2 prints the path and version metadata; get prints metadata and data', async () => {
  const put = await ok('put', 'kv2/creds', 'user=bob', 'pass=hunter2');
  assert.match(put, /^= Secret Path =\nkv2\/data\/creds\n\n======= Metadata =======\nKey\s+Value\n---\s+-----\n/);
  assert.match(put, /^version\s+1$/m);
  assert.match(put, /^deletion_time\s+n\/a$/m);
  const get = await ok('get', 'kv2/creds');
  assert.match(get, /^version\s+1$/m);
  assert.match(get, /\n==== Data ====\nKey\s+Value\n---\s+-----\npass\s+hunter2\nuser\s+bob\n$/);
});

test('-field, -format=json and -mount', async () => {
  await ok('put', 'kv2/app/db', 'url=postgres://x');
  assert.equal(await ok('get', '-field=url', 'kv2/app/db'), 'postgres://x');
  assert.equal(await ok('get', '-mount=kv2', '-field=url', 'app/db'), 'postgres://x');
  const json = JSON.parse(await ok('get', '-format=json', 'kv2/app/db'));
  assert.deepEqual(json.data.data, { url: 'postgres://x' });
  assert.equal(json.data.metadata.version, 1);
  assert.equal(JSON.parse(await ok('put', '-format=json', 'kv2/app/db', 'url=y')).data.version, 2);
});

test('versions: -version reads an old one; -cas guards writes', async () => {
  await ok('put', 'kv2/ver', 'v=one');
  await ok('put', 'kv2/ver', 'v=two');
  assert.equal(await ok('get', '-version=1', '-field=v', 'kv2/ver'), 'one');
  const stale = await cli.run(['kv', 'put', '-cas=1', 'kv2/ver', 'v=three']);
  assert.equal(stale.code, 2);
  assert.match(stale.stderr, /check-and-set/);
  await ok('put', '-cas=2', 'kv2/ver', 'v=three');
  assert.equal(await ok('get', '-field=v', 'kv2/ver'), 'three');
});

test('values from stdin JSON and from key=@file', async () => {
  const r = await cli.run(['kv', 'put', 'kv2/piped', '-'], { input: '{"n": 3, "tags": ["a"]}' });
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(await ok('get', '-format=json', 'kv2/piped')).data.data;
  assert.deepEqual(data, { n: 3, tags: ['a'] });
  const file = join(cli.home, 'key.pem');
  writeFileSync(file, 'PEM\nDATA\n');
  await ok('put', 'kv2/file', `key=@${file}`);
  assert.equal(await ok('get', '-field=key', 'kv2/file'), 'PEM\nDATA\n');
});

test('put or patch with a path and no data says "Must supply data" (exit 1), as Vault', async () => {
  for (const sub of ['put', 'patch']) {
    const r = await cli.run(['kv', sub, 'kv2/nodata']);
    assert.deepEqual([r.code, r.stderr.split('\n')[0]], [1, 'Must supply data'], sub);
  }
});

test('patch merges into the latest version, by PATCH and by read-then-write', async () => {
  await ok('put', 'kv2/patchme', 'a=1', 'b=2');
  assert.match(await ok('patch', 'kv2/patchme', 'b=20', 'c=3'), /^version\s+2$/m);
  assert.match(await ok('patch', '-method=rw', 'kv2/patchme', 'd=4'), /^version\s+3$/m);
  const data = JSON.parse(await ok('get', '-format=json', 'kv2/patchme')).data.data;
  assert.deepEqual(data, { a: '1', b: '20', c: '3', d: '4' });
  const missing = await cli.run(['kv', 'patch', 'kv2/nothing-here', 'a=1']);
  assert.equal(missing.code, 2);
});

test('delete, undelete and destroy versions', async () => {
  await ok('put', 'kv2/life', 'v=1');
  await ok('put', 'kv2/life', 'v=2');
  assert.equal(await ok('delete', 'kv2/life'), 'Success! Data deleted (if it existed) at: kv2/data/life\n');
  const deleted = await cli.run(['kv', 'get', 'kv2/life']);
  assert.doesNotMatch(deleted.stdout, /= Data =/);
  assert.equal(await ok('undelete', '-versions=2', 'kv2/life'), 'Success! Data written to: kv2/undelete/life\n');
  assert.equal(await ok('get', '-field=v', 'kv2/life'), '2');
  assert.equal(await ok('delete', '-versions=1', 'kv2/life'), 'Success! Data deleted (if it existed) at: kv2/delete/life\n');
  assert.equal(await ok('destroy', '-versions=1', 'kv2/life'), 'Success! Data written to: kv2/destroy/life\n');
  const meta = JSON.parse(await ok('metadata', 'get', '-format=json', 'kv2/life')).data;
  assert.equal(meta.versions['1'].destroyed, true);
  const noVersions = await cli.run(['kv', 'undelete', 'kv2/life']);
  assert.equal(noVersions.code, 1);
  assert.match(noVersions.stderr, /-versions/);
});

test('list shows the keys under a path', async () => {
  await ok('put', 'kv2/tree/a', 'x=1');
  await ok('put', 'kv2/tree/sub/b', 'x=1');
  assert.equal(await ok('list', 'kv2/tree'), 'Keys\n----\na\nsub/\n');
  assert.deepEqual(JSON.parse(await ok('list', '-format=json', '-mount=kv2', 'tree')), ['a', 'sub/']);
  const none = await cli.run(['kv', 'list', 'kv2/no-such-folder']);
  assert.equal(none.code, 2);
});

test('rollback writes an old version as the newest', async () => {
  await ok('put', 'kv2/rb', 'v=first');
  await ok('put', 'kv2/rb', 'v=second');
  assert.match(await ok('rollback', '-version=1', 'kv2/rb'), /^version\s+3$/m);
  assert.equal(await ok('get', '-field=v', 'kv2/rb'), 'first');
  const missing = await cli.run(['kv', 'rollback', '-version=9', 'kv2/rb']);
  assert.equal(missing.code, 2);
  assert.equal((await cli.run(['kv', 'rollback', 'kv2/rb'])).code, 1);
});

test('metadata put, patch, get and delete', async () => {
  await ok('put', 'kv2/meta', 'a=1');
  assert.equal(await ok('metadata', 'put', '-max-versions=5', '-custom-metadata=owner=ops', '-custom-metadata=tier=1', 'kv2/meta'),
    'Success! Data written to: kv2/metadata/meta\n');
  await ok('metadata', 'patch', '-cas-required', '-remove-custom-metadata=tier', 'kv2/meta');
  const table = await ok('metadata', 'get', 'kv2/meta');
  assert.match(table, /^= Metadata Path =\nkv2\/metadata\/meta\n\n========== Metadata ==========\n/);
  assert.match(table, /^max_versions\s+5$/m);
  assert.match(table, /^cas_required\s+true$/m);
  assert.match(table, /^custom_metadata\s+map\[owner:ops\]$/m);
  assert.match(table, /^====== Version 1 ======$/m);
  assert.equal(await ok('metadata', 'delete', 'kv2/meta'), 'Success! Data deleted (if it existed) at: kv2/metadata/meta\n');
  assert.equal((await cli.run(['kv', 'metadata', 'get', 'kv2/meta'])).code, 2);
});

test('a v1 mount: plain paths, a Data section, and v2-only commands refused (exit 2)', async () => {
  assert.equal(await ok('put', 'kv1/app', 'k=v'), 'Success! Data written to: kv1/app\n');
  assert.equal(await ok('get', 'kv1/app'), '== Data ==\nKey    Value\n---    -----\nk      v\n');
  assert.equal(await ok('get', '-field=k', 'kv1/app'), 'v');
  assert.equal(await ok('list', 'kv1'), 'Keys\n----\napp\n');
  const patch = await cli.run(['kv', 'patch', 'kv1/app', 'k=w']);
  assert.equal(patch.code, 2);
  assert.match(patch.stderr, /version 2/);
  assert.equal(await ok('delete', 'kv1/app'), 'Success! Data deleted (if it existed) at: kv1/app\n');
  assert.equal((await cli.run(['kv', 'get', 'kv1/app'])).code, 2);
});

test('cubbyhole answers the mount probe as a non-kv mount: treated like v1', async () => {
  assert.equal(await ok('put', 'cubbyhole/kvish', 'a=b'), 'Success! Data written to: cubbyhole/kvish\n');
  assert.equal(await ok('get', '-field=a', 'cubbyhole/kvish'), 'b');
});

test('the dangerous typo: kv delete -verions=1 exits 1 and deletes nothing', async () => {
  await ok('put', 'kv2/typo', 'v=1');
  await ok('put', 'kv2/typo', 'v=2');
  const r = await cli.run(['kv', 'delete', '-verions=1', 'kv2/typo']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'flag provided but not defined: -verions\n');
  const meta = JSON.parse(await ok('metadata', 'get', '-format=json', 'kv2/typo')).data.versions;
  assert.equal(meta['1'].deletion_time, '');
  assert.equal(meta['2'].deletion_time, '');
  assert.match(await ok('get', '-field=v', 'kv2/typo'), /^2$/);
});
