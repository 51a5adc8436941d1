// KV v2 config: mount-wide max_versions, cas_required and delete_version_after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { closeKvServer, startKvServer } from './helpers.js';

let srv: TestServer;

before(async () => {
  ({ srv } = await startKvServer('2'));
});
after(async () => closeKvServer(srv));

test('a new mount reads Vault\'s defaults', async () => {
  const r = await srv.api('GET', 'secret/config');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, { cas_required: false, delete_version_after: '0s', max_versions: 0 });
});

test('config writes are partial and durations read back as Go prints them', async () => {
  assert.equal((await srv.api('POST', 'secret/config', { max_versions: 5, delete_version_after: '3h25m19s' })).status, 204);
  assert.equal((await srv.api('POST', 'secret/config', { cas_required: 'true' })).status, 204);
  assert.deepEqual((await srv.api('GET', 'secret/config')).body.data, { cas_required: true, delete_version_after: '3h25m19s', max_versions: 5 });
  await srv.api('POST', 'secret/config', { delete_version_after: 90, cas_required: false, max_versions: 0 });
  assert.equal((await srv.api('GET', 'secret/config')).body.data.delete_version_after, '1m30s');
});

test('a negative delete_version_after disables deletion for every key, and reads "-1s"', async () => {
  await srv.api('POST', 'secret/config', { delete_version_after: '-5m' });
  try {
    assert.equal((await srv.api('GET', 'secret/config')).body.data.delete_version_after, '-1s');
    await srv.api('POST', 'secret/metadata/keep', { delete_version_after: '1s' });
    const w = await srv.api('POST', 'secret/data/keep', { data: { a: 1 } });
    assert.equal(w.body.data.deletion_time, '');
  } finally {
    await srv.api('POST', 'secret/config', { delete_version_after: 0 });
  }
  assert.equal((await srv.api('GET', 'secret/config')).body.data.delete_version_after, '0s');
});

test('bad values are refused and change nothing', async () => {
  const before = (await srv.api('GET', 'secret/config')).body.data;
  assert.equal((await srv.api('POST', 'secret/config', { max_versions: -1 })).status, 400);
  const r = await srv.api('POST', 'secret/config', { delete_version_after: 'soon' });
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /delete_version_after/);
  assert.deepEqual((await srv.api('GET', 'secret/config')).body.data, before);
});
