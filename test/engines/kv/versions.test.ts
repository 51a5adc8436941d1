// KV v2 delete/, undelete/, destroy/ and subkeys/ over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../../src/util/clock.js';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, closeKvServer, startKvServer } from './helpers.js';

let srv: TestServer;
let clock: ManualClock;

before(async () => {
  ({ srv, clock } = await startKvServer('2'));
});
after(async () => closeKvServer(srv));

async function threeVersions(path: string): Promise<void> {
  for (const v of ['one', 'two', CANARY]) await srv.api('POST', `secret/data/${path}`, { data: { v } });
}
const readVersion = (path: string, n: number) => srv.api('GET', `secret/data/${path}?version=${n}`);

test('delete marks versions deleted; undelete brings them back with their data', async () => {
  await threeVersions('sd');
  clock.advance(1000);
  assert.equal((await srv.api('POST', 'secret/delete/sd', { versions: [1, 2] })).status, 204);
  const gone = await readVersion('sd', 1);
  assert.deepEqual([gone.status, gone.body.data.data, gone.body.data.metadata.deletion_time], [404, null, '2026-01-01T00:00:01Z']);
  assert.equal((await readVersion('sd', 3)).status, 200);
  assert.equal((await srv.api('POST', 'secret/undelete/sd', { versions: '1' })).status, 204);
  const back = await readVersion('sd', 1);
  assert.deepEqual([back.status, back.body.data.data.v, back.body.data.metadata.deletion_time], [200, 'one', '']);
  assert.equal((await readVersion('sd', 2)).status, 404);
});

test('destroy drops the data for good: destroyed true, undelete cannot restore it', async () => {
  await threeVersions('gone');
  assert.equal((await srv.api('PUT', 'secret/destroy/gone', { versions: '2,3' })).status, 204);
  const r = await readVersion('gone', 3);
  assert.deepEqual([r.status, r.body.data.data, r.body.data.metadata.destroyed], [404, null, true]);
  await srv.api('POST', 'secret/undelete/gone', { versions: [2, 3] });
  assert.equal((await readVersion('gone', 2)).status, 404);
  const meta = (await srv.api('GET', 'secret/metadata/gone')).body.data;
  assert.deepEqual([meta.versions['1'].destroyed, meta.versions['2'].destroyed, meta.versions['3'].destroyed], [false, true, true]);
  assert.equal((await readVersion('gone', 1)).body.data.data.v, 'one');
  // The current version is destroyed, so a plain read is a 404 too.
  assert.equal((await srv.api('GET', 'secret/data/gone')).status, 404);
});

test('an empty version list is refused with Vault\'s wording; unknown keys and versions are ignored', async () => {
  const del = await srv.api('POST', 'secret/delete/whatever', {});
  assert.deepEqual([del.status, del.body.errors], [400, ['No version number provided']]);
  assert.deepEqual((await srv.api('POST', 'secret/undelete/whatever', { versions: [] })).body.errors, ['No version number provided']);
  assert.deepEqual((await srv.api('POST', 'secret/destroy/whatever', {})).body.errors, ['no version number provided']);
  const junk = await srv.api('POST', 'secret/delete/whatever', { versions: 'one' });
  assert.equal(junk.status, 400);
  assert.match(junk.body.errors[0], /versions/);
  assert.equal((await srv.api('POST', 'secret/delete/whatever', { versions: [1] })).status, 204);
  await threeVersions('known');
  assert.equal((await srv.api('POST', 'secret/destroy/known', { versions: [9] })).status, 204);
  assert.equal((await srv.api('GET', 'secret/data/known')).status, 200);
});

test('undelete under delete_version_after schedules the version again from now', async () => {
  await srv.api('POST', 'secret/metadata/dva', { delete_version_after: '30m' });
  await srv.api('POST', 'secret/data/dva', { data: { a: 1 } });
  clock.advance(31 * 60_000);
  assert.equal((await srv.api('GET', 'secret/data/dva')).status, 404);
  await srv.api('POST', 'secret/undelete/dva', { versions: [1] });
  const r = await srv.api('GET', 'secret/data/dva');
  assert.equal(r.status, 200);
  assert.equal(Date.parse(r.body.data.metadata.deletion_time), clock.now() + 30 * 60_000);
});

test('subkeys: the structure with values nulled, cut at depth', async () => {
  const data = { user: CANARY, db: { host: 'h', creds: { pw: CANARY } }, empty: {}, list: [1, 2] };
  await srv.api('POST', 'secret/data/shape', { data });
  await srv.api('POST', 'secret/data/shape', { data: { only: 1 } });
  const full = await srv.api('GET', 'secret/subkeys/shape?version=1');
  assert.equal(full.status, 200);
  assert.deepEqual(full.body.data.subkeys, { user: null, db: { host: null, creds: { pw: null } }, empty: null, list: null });
  assert.equal(full.body.data.metadata.version, 1);
  assert.ok(!JSON.stringify(full.body).includes(CANARY));
  const one = await srv.api('GET', 'secret/subkeys/shape?version=1&depth=1');
  assert.deepEqual(one.body.data.subkeys, { user: null, db: null, empty: null, list: null });
  const two = await srv.api('GET', 'secret/subkeys/shape?version=1&depth=2');
  assert.deepEqual(two.body.data.subkeys, { user: null, db: { host: null, creds: null }, empty: null, list: null });
  assert.deepEqual((await srv.api('GET', 'secret/subkeys/shape')).body.data.subkeys, { only: null });
});

test('subkeys of a deleted version is a 404 with metadata; of a missing key a plain 404', async () => {
  await srv.api('POST', 'secret/data/sub-del', { data: { a: 1 } });
  await srv.api('DELETE', 'secret/data/sub-del');
  const r = await srv.api('GET', 'secret/subkeys/sub-del');
  assert.deepEqual([r.status, r.body.data.subkeys, r.body.data.metadata.version], [404, null, 1]);
  assert.deepEqual(await srv.api('GET', 'secret/subkeys/none').then((x) => [x.status, x.body]), [404, { errors: [] }]);
});
