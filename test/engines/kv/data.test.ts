// KV v2 data/: write, read by version, check-and-set, merge patch, soft delete, pruning and
// delete_version_after, over HTTP against a real server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../../src/util/clock.js';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, MERGE_PATCH, closeKvServer, startKvServer } from './helpers.js';

let srv: TestServer;
let clock: ManualClock;

before(async () => {
  ({ srv, clock } = await startKvServer('2'));
});
after(async () => closeKvServer(srv));

const write = (path: string, body: unknown) => srv.api('POST', `secret/data/${path}`, body);

test('a write answers the version metadata; a read returns data and metadata as Vault does', async () => {
  const w = await write('app/db', { data: { password: CANARY, port: 5432 } });
  assert.equal(w.status, 200);
  assert.deepEqual(w.body.data, {
    created_time: '2026-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 1,
  });
  const r = await srv.api('GET', 'secret/data/app/db');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data.data, { password: CANARY, port: 5432 });
  assert.deepEqual(r.body.data.metadata, w.body.data);
  assert.deepEqual([r.body.lease_id, r.body.lease_duration, r.body.renewable], ['', 0, false]);
  assert.equal(r.body.mount_type, 'kv');
});

test('times are RFC3339 UTC with the fraction Go prints', async () => {
  clock.advance(123);
  const w = await write('timed', { data: { a: 1 } });
  assert.match(w.body.data.created_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123Z$/);
});

test('each write is a new version; ?version= reads an old one; unknown versions are a plain 404', async () => {
  await write('multi', { data: { v: 'one' } });
  const second = await write('multi', { data: { v: 'two' } });
  assert.equal(second.body.data.version, 2);
  assert.equal((await srv.api('GET', 'secret/data/multi')).body.data.data.v, 'two');
  const old = await srv.api('GET', 'secret/data/multi?version=1');
  assert.deepEqual([old.body.data.data.v, old.body.data.metadata.version], ['one', 1]);
  assert.deepEqual(await srv.api('GET', 'secret/data/multi?version=7').then((r) => [r.status, r.body]), [404, { errors: [] }]);
  assert.equal((await srv.api('GET', 'secret/data/multi?version=0')).body.data.metadata.version, 2);
  const bad = await srv.api('GET', 'secret/data/multi?version=abc');
  assert.equal(bad.status, 400);
  assert.match(bad.body.errors[0], /version/);
});

test('a missing secret is 404 with an empty errors list', async () => {
  const r = await srv.api('GET', 'secret/data/nothing/here');
  assert.deepEqual([r.status, r.body], [404, { errors: [] }]);
});

test('a write without an object under data is refused with "no data provided"', async () => {
  for (const body of [{}, { data: null }, { data: 'text' }, { data: [1, 2] }, { password: CANARY }]) {
    const r = await write('nodata', body);
    assert.deepEqual([r.status, r.body], [400, { errors: ['no data provided'] }], JSON.stringify(body));
  }
  assert.equal((await srv.api('GET', 'secret/data/nodata')).status, 404);
});

test('check-and-set: 0 creates only, N must match the current version', async () => {
  assert.equal((await write('cas', { data: { a: 1 }, options: { cas: 0 } })).status, 200);
  const again = await write('cas', { data: { a: 2 }, options: { cas: 0 } });
  assert.deepEqual([again.status, again.body.errors], [400, ['check-and-set parameter did not match the current version']]);
  assert.equal((await write('cas', { data: { a: 2 }, options: { cas: 1 } })).body.data.version, 2);
  const stale = await write('cas', { data: { a: 3 }, options: { cas: 1 } });
  assert.equal(stale.status, 400);
  const junk = await write('cas', { data: { a: 3 }, options: { cas: 'one' } });
  assert.deepEqual(junk.body.errors, ['error parsing check-and-set parameter']);
});

test('Terraform style: string versions in options.cas; a top-level cas is ignored with a warning, as in Vault', async () => {
  assert.equal((await write('tf', { data: { a: 1 }, cas: 0, options: {} })).status, 200);
  assert.equal((await write('tf', { data: { a: 2 }, options: { cas: '1' } })).body.data.version, 2);
  // Terraform sends "cas": 0 whenever its cas is unset; Vault has no such field, so the update goes through.
  const unset = await write('tf', { data: { a: 3 }, cas: 0, options: {} });
  assert.equal(unset.body.data.version, 3);
  assert.deepEqual(unset.body.warnings, ['Endpoint ignored these unrecognized parameters: [cas]']);
  assert.equal((await write('tf', { data: { a: 4 }, cas: 1, options: { cas: 2 } })).status, 400);
  assert.equal((await write('tf', { data: { a: 4 }, cas: 1, options: { cas: 3 } })).body.data.version, 4);
});

test('cas_required on the mount or the key makes cas mandatory', async () => {
  await write('required', { data: { a: 1 } });
  assert.equal((await srv.api('POST', 'secret/metadata/required', { cas_required: true })).status, 204);
  const missing = await write('required', { data: { a: 2 } });
  assert.deepEqual([missing.status, missing.body.errors], [400, ['check-and-set parameter required for this call']]);
  assert.equal((await write('required', { data: { a: 2 }, options: { cas: 1 } })).status, 200);

  await srv.api('POST', 'secret/config', { cas_required: true });
  try {
    assert.equal((await write('other-key', { data: { a: 1 } })).status, 400);
    assert.equal((await write('other-key', { data: { a: 1 }, options: { cas: 0 } })).status, 200);
  } finally {
    await srv.api('POST', 'secret/config', { cas_required: false });
  }
});

test('versions past max_versions are pruned; the key setting beats the mount default of 10', async () => {
  for (let i = 1; i <= 12; i++) await write('pruned', { data: { i } });
  let meta = (await srv.api('GET', 'secret/metadata/pruned')).body.data;
  assert.deepEqual(Object.keys(meta.versions), ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
  assert.deepEqual([meta.current_version, meta.oldest_version], [12, 3]);
  assert.deepEqual((await srv.api('GET', 'secret/data/pruned?version=2')).status, 404);
  assert.equal((await srv.api('GET', 'secret/data/pruned?version=3')).body.data.data.i, 3);

  await srv.api('POST', 'secret/metadata/pruned', { max_versions: 2 });
  await write('pruned', { data: { i: 13 } });
  meta = (await srv.api('GET', 'secret/metadata/pruned')).body.data;
  assert.deepEqual([Object.keys(meta.versions), meta.oldest_version], [['12', '13'], 12]);
  assert.equal((await srv.api('GET', 'secret/data/pruned?version=11')).status, 404);
});

test('the mount max_versions applies to keys without their own', async () => {
  await srv.api('POST', 'secret/config', { max_versions: 3 });
  try {
    for (let i = 1; i <= 4; i++) await write('mount-max', { data: { i } });
    const meta = (await srv.api('GET', 'secret/metadata/mount-max')).body.data;
    assert.deepEqual([Object.keys(meta.versions), meta.oldest_version, meta.max_versions], [['2', '3', '4'], 2, 0]);
  } finally {
    await srv.api('POST', 'secret/config', { max_versions: 0 });
  }
});

test('DELETE soft-deletes the latest version: 404 with metadata, data null; a new write is readable', async () => {
  await write('soft', { data: { k: CANARY } });
  assert.equal((await srv.api('DELETE', 'secret/data/soft')).status, 204);
  const r = await srv.api('GET', 'secret/data/soft');
  assert.equal(r.status, 404);
  assert.equal(r.body.data.data, null);
  assert.equal(r.body.data.metadata.version, 1);
  assert.equal(r.body.data.metadata.deletion_time, r.body.data.metadata.created_time);
  assert.equal(r.body.data.metadata.destroyed, false);
  assert.equal((await srv.api('DELETE', 'secret/data/soft')).status, 204);
  assert.equal((await srv.api('DELETE', 'secret/data/never-written')).status, 204);
  await write('soft', { data: { k: 2 } });
  assert.equal((await srv.api('GET', 'secret/data/soft')).body.data.data.k, 2);
});

test('PATCH merges onto the latest version (null removes, objects merge) as a new version', async () => {
  await write('patched', { data: { keep: 'yes', drop: 'x', nested: { a: 1, b: 2 } } });
  const p = await srv.api('PATCH', 'secret/data/patched', { data: { drop: null, nested: { b: 3 }, added: CANARY } }, MERGE_PATCH);
  assert.equal(p.status, 200);
  assert.equal(p.body.data.version, 2);
  const r = await srv.api('GET', 'secret/data/patched');
  assert.deepEqual(r.body.data.data, { keep: 'yes', nested: { a: 1, b: 3 }, added: CANARY });
  const cas = await srv.api('PATCH', 'secret/data/patched', { data: { x: 1 }, options: { cas: 1 } }, MERGE_PATCH);
  assert.equal(cas.status, 400);
});

test('PATCH needs the merge-patch content type (415), an existing key and a live version (404)', async () => {
  await write('patch-rules', { data: { a: 1 } });
  const wrongType = await srv.api('PATCH', 'secret/data/patch-rules', { data: { a: 2 } });
  assert.equal(wrongType.status, 415);
  assert.match(wrongType.body.errors[0], /application\/merge-patch\+json/);
  const missing = await srv.api('PATCH', 'secret/data/patch-missing', { data: { a: 2 } }, MERGE_PATCH);
  assert.deepEqual([missing.status, missing.body], [404, { errors: [] }]);
  const noData = await srv.api('PATCH', 'secret/data/patch-rules', {}, MERGE_PATCH);
  assert.deepEqual(noData.body.errors, ['no data provided']);
  await srv.api('DELETE', 'secret/data/patch-rules');
  const gone = await srv.api('PATCH', 'secret/data/patch-rules', { data: { a: 2 } }, MERGE_PATCH);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.data.version, 1); // Vault: the metadata sits flat in data here
});

test('delete_version_after: a version reads as deleted once its time has passed', async () => {
  await srv.api('POST', 'secret/config', { delete_version_after: '1h' });
  try {
    const w = await write('expiring', { data: { a: CANARY } });
    const created = Date.parse(w.body.data.created_time);
    assert.equal(Date.parse(w.body.data.deletion_time), created + 3600_000);
    clock.advance(3600_000 - 1);
    assert.equal((await srv.api('GET', 'secret/data/expiring')).status, 200);
    clock.advance(1);
    const r = await srv.api('GET', 'secret/data/expiring');
    assert.deepEqual([r.status, r.body.data.data], [404, null]);
    assert.equal(r.body.data.metadata.deletion_time, w.body.data.deletion_time);

    // The smaller non-zero of mount and key settings wins.
    await srv.api('POST', 'secret/metadata/expiring-key', { delete_version_after: '10m' });
    const k = await write('expiring-key', { data: { a: 1 } });
    assert.equal(Date.parse(k.body.data.deletion_time) - Date.parse(k.body.data.created_time), 600_000);
  } finally {
    await srv.api('POST', 'secret/config', { delete_version_after: 0 });
  }
});

test('a v1-style path on a v2 mount is a 404 whose warning names the kv subcommand', async () => {
  const r = await srv.api('GET', 'secret/app/db');
  assert.equal(r.status, 404);
  assert.match(r.body.warnings[0], /Invalid path for a versioned K\/V secrets engine.*'vault kv get'/);
  const w = await srv.api('PUT', 'secret/app/db', { password: CANARY });
  assert.match(w.body.warnings[0], /'vault kv put'/);
  assert.equal(w.body.warnings.length, 1);
  const root = await srv.api('GET', 'secret/data');
  assert.match(root.body.warnings[0], /root of a K\/V v2 mount/);
  assert.equal((await srv.api('GET', 'secret/data/folder/')).status, 404);
});

test('unknown body fields are ignored with a warning', async () => {
  const r = await write('warned', { data: { a: 1 }, colour: 'blue' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.warnings, ['Endpoint ignored these unrecognized parameters: [colour]']);
});

test('concurrent check-and-set writers: exactly one wins', async () => {
  await write('race', { data: { n: 0 } });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => write('race', { data: { n: i }, options: { cas: 1 } })));
  assert.equal(results.filter((r) => r.status === 200).length, 1);
  assert.equal((await srv.api('GET', 'secret/metadata/race')).body.data.current_version, 2);
});

test('a kv-v2 mount type serves the same API', async () => {
  assert.equal((await srv.api('POST', 'sys/mounts/alias', { type: 'kv-v2' })).status, 204);
  assert.equal((await srv.api('POST', 'alias/data/x', { data: { a: 1 } })).status, 200);
  assert.equal((await srv.api('GET', 'alias/data/x')).body.data.data.a, 1);
});
