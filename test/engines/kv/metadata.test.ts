// KV v2 metadata/: read, partial write, metadata before data, patch, delete, and LIST with
// Lockbox's after/limit paging.
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

const write = (path: string, data: Record<string, unknown>, options?: Record<string, unknown>) =>
  srv.api('POST', `secret/data/${path}`, options ? { data, options } : { data });
const meta = async (path: string) => (await srv.api('GET', `secret/metadata/${path}`)).body.data;

test('metadata reads back in Vault\'s types: string version keys, Go durations, null custom_metadata', async () => {
  const first = await write('shape', { a: CANARY });
  clock.advance(1500);
  await write('shape', { a: 2 });
  const r = await srv.api('GET', 'secret/metadata/shape');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, {
    cas_required: false,
    created_time: first.body.data.created_time,
    current_version: 2,
    custom_metadata: null,
    delete_version_after: '0s',
    max_versions: 0,
    oldest_version: 0,
    updated_time: '2026-01-01T00:00:01.5Z',
    versions: {
      1: { created_time: first.body.data.created_time, deletion_time: '', destroyed: false },
      2: { created_time: '2026-01-01T00:00:01.5Z', deletion_time: '', destroyed: false },
    },
  });
  assert.ok(!JSON.stringify(r.body).includes(CANARY), 'metadata must not carry data');
  assert.deepEqual(await srv.api('GET', 'secret/metadata/absent').then((x) => [x.status, x.body]), [404, { errors: [] }]);
});

test('metadata writes are partial; custom_metadata is replaced whole', async () => {
  await write('partial', { a: 1 });
  await srv.api('POST', 'secret/metadata/partial', { max_versions: 5, custom_metadata: { owner: 'ops', team: 'db' } });
  await srv.api('POST', 'secret/metadata/partial', { cas_required: true, delete_version_after: '1h30m' });
  let m = await meta('partial');
  assert.deepEqual([m.max_versions, m.cas_required, m.delete_version_after], [5, true, '1h30m0s']);
  assert.deepEqual(m.custom_metadata, { owner: 'ops', team: 'db' });
  await srv.api('PUT', 'secret/metadata/partial', { custom_metadata: { owner: 'sec' } });
  m = await meta('partial');
  assert.deepEqual([m.custom_metadata, m.max_versions, m.current_version], [{ owner: 'sec' }, 5, 1]);
  // Versions report the key's custom_metadata.
  const read = await srv.api('GET', 'secret/data/partial');
  assert.deepEqual(read.body.data.metadata.custom_metadata, { owner: 'sec' });
});

test('metadata may come before data: the key is version 0, so a cas 0 write succeeds (ESO)', async () => {
  const put = await srv.api('POST', 'secret/metadata/eso/pushed', { custom_metadata: { 'managed-by': 'external-secrets' } });
  assert.equal(put.status, 204);
  const m = await meta('eso/pushed');
  assert.deepEqual([m.current_version, m.oldest_version, m.versions], [0, 0, {}]);
  assert.equal((await srv.api('GET', 'secret/data/eso/pushed')).status, 404);
  const w = await write('eso/pushed', { token: CANARY }, { cas: 0 });
  assert.equal(w.status, 200);
  assert.deepEqual([w.body.data.version, w.body.data.custom_metadata], [1, { 'managed-by': 'external-secrets' }]);
  assert.equal((await meta('eso/pushed')).created_time, m.created_time);
});

test('a metadata write with no settings changes nothing and creates nothing', async () => {
  assert.equal((await srv.api('POST', 'secret/metadata/empty-write', {})).status, 204);
  assert.equal((await srv.api('GET', 'secret/metadata/empty-write')).status, 404);
});

test('custom_metadata is validated without echoing values', async () => {
  const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  const many = await srv.api('POST', 'secret/metadata/cm', { custom_metadata: tooMany });
  assert.equal(many.status, 400);
  assert.match(many.body.errors[0], /at most 64 keys, provided 65/);
  const bad = await srv.api('POST', 'secret/metadata/cm', { custom_metadata: { empty: '', long: CANARY.repeat(60) } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.errors[0], /^2 errors occurred:/);
  assert.ok(!bad.body.errors[0].includes(CANARY));
  const nested = await srv.api('POST', 'secret/metadata/cm', { custom_metadata: { x: { y: 1 } } });
  assert.equal(nested.status, 400);
  assert.equal((await srv.api('POST', 'secret/metadata/cm', { custom_metadata: { n: 3, b: true } })).status, 204);
  assert.deepEqual((await meta('cm')).custom_metadata, { n: '3', b: '1' });
  // Vault decodes a null map as an empty one.
  assert.equal((await srv.api('POST', 'secret/metadata/cm', { custom_metadata: null })).status, 204);
  assert.deepEqual((await meta('cm')).custom_metadata, {});
});

test('turning off cas_required that the mount mandates is kept but warned about', async () => {
  await srv.api('POST', 'secret/config', { cas_required: true });
  try {
    const r = await srv.api('POST', 'secret/metadata/cas-warn', { cas_required: false });
    assert.equal(r.status, 200);
    assert.match(r.body.warnings[0], /"cas_required" set to false, but is mandated by backend config/);
  } finally {
    await srv.api('POST', 'secret/config', { cas_required: false });
  }
});

test('PATCH merges settings: custom_metadata key by key (null removes), other fields kept', async () => {
  await srv.api('POST', 'secret/metadata/mpatch', { max_versions: 4, custom_metadata: { a: '1', b: '2' } });
  const p = await srv.api('PATCH', 'secret/metadata/mpatch', { custom_metadata: { b: null, c: '3' }, cas_required: true }, MERGE_PATCH);
  assert.equal(p.status, 204);
  const m = await meta('mpatch');
  assert.deepEqual([m.custom_metadata, m.max_versions, m.cas_required], [{ a: '1', c: '3' }, 4, true]);
  const dva = await srv.api('PATCH', 'secret/metadata/mpatch', { delete_version_after: '2h', max_versions: null }, MERGE_PATCH);
  assert.equal(dva.status, 204);
  assert.deepEqual([(await meta('mpatch')).delete_version_after, (await meta('mpatch')).max_versions], ['2h0m0s', 0]);
  assert.equal((await srv.api('PATCH', 'secret/metadata/mpatch', { custom_metadata: null }, MERGE_PATCH)).status, 204);
  assert.equal((await meta('mpatch')).custom_metadata, null);
  const missing = await srv.api('PATCH', 'secret/metadata/mpatch-none', { max_versions: 1 }, MERGE_PATCH);
  assert.deepEqual([missing.status, missing.body], [404, { errors: [] }]);
  assert.equal((await srv.api('PATCH', 'secret/metadata/mpatch', { max_versions: 1 })).status, 415);
});

test('DELETE metadata removes every version and the key; a missing key is 204', async () => {
  await write('doomed/x', { a: CANARY });
  await write('doomed/x', { a: 2 });
  assert.equal((await srv.api('DELETE', 'secret/metadata/doomed/x')).status, 204);
  assert.equal((await srv.api('GET', 'secret/metadata/doomed/x')).status, 404);
  assert.equal((await srv.api('GET', 'secret/data/doomed/x?version=1')).status, 404);
  assert.equal((await srv.api('LIST', 'secret/metadata/doomed')).status, 404);
  assert.equal((await srv.api('DELETE', 'secret/metadata/doomed/x')).status, 204);
  // A rewrite starts again from version 1.
  assert.equal((await write('doomed/x', { a: 3 })).body.data.version, 1);
});

test('LIST shows keys and folders one level deep, by LIST and by GET ?list=true', async () => {
  for (const p of ['tree/a', 'tree/b/c', 'tree/b/d/e', 'tree/b']) await write(p, { v: 1 });
  const top = await srv.api('LIST', 'secret/metadata/tree');
  assert.equal(top.status, 200);
  assert.deepEqual(top.body.data.keys, ['a', 'b', 'b/']);
  assert.deepEqual((await srv.api('GET', 'secret/metadata/tree/b/?list=true')).body.data.keys, ['c', 'd/']);
  const root = await srv.api('LIST', 'secret/metadata/');
  assert.ok(root.body.data.keys.includes('tree/'));
  assert.deepEqual(await srv.api('LIST', 'secret/metadata/no-such-folder').then((r) => [r.status, r.body]), [404, { errors: [] }]);
});

test('LIST pages through 1,000 keys in key order with after and limit', async () => {
  const names = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((n) => srv.api('POST', `secret/metadata/many/${n}`, { max_versions: 1 })));
  }
  const all = await srv.api('LIST', 'secret/metadata/many');
  assert.deepEqual(all.body.data.keys, names);
  const pages: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const query = `?limit=150${cursor === undefined ? '' : `&after=${encodeURIComponent(cursor)}`}`;
    const page = await srv.api('LIST', `secret/metadata/many/${query}`);
    if (page.status === 404) break;
    assert.ok(page.body.data.keys.length <= 150);
    pages.push(...page.body.data.keys);
    cursor = page.body.data.keys.at(-1);
  }
  assert.deepEqual(pages, names);
  assert.deepEqual((await srv.api('GET', 'secret/metadata/many?list=true&after=k0997')).body.data.keys, ['k0998', 'k0999']);
  assert.deepEqual((await srv.api('LIST', 'secret/metadata/many?limit=0')).body.data.keys.length, 1000);
  const bad = await srv.api('LIST', 'secret/metadata/many?limit=-1');
  assert.equal(bad.status, 400);
  assert.match(bad.body.errors[0], /limit/);
});
