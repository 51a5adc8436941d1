// Upgrading a KV v1 mount to v2 in place: the exported function on bare storage, and the
// tune that calls it over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStorage } from '../../../src/storage/memory.js';
import { scopedView } from '../../../src/storage/view.js';
import { upgradeKvV1ToV2 } from '../../../src/engines/kv/index.js';
import { metadataStore, versionStore, v1Store } from '../../../src/engines/kv/store.js';
import type { TestServer } from '../../helpers/server.js';
import { CANARY, closeKvServer, startKvServer } from './helpers.js';

let srv: TestServer;

before(async () => {
  ({ srv } = await startKvServer('1', 'legacy'));
});
after(async () => closeKvServer(srv));

test('upgradeKvV1ToV2 turns every v1 secret into version 1, even ones named like v2 records', async () => {
  const storage = scopedView(openMemoryStorage(), 'logical/mount-uuid/');
  const v1 = v1Store(storage);
  const secrets: Record<string, Record<string, unknown>> = {
    top: { a: CANARY }, 'dir/nested/leaf': { b: 2 }, config: { c: 3 }, 'meta/top': { d: 4 }, 'ver/x/1': { e: 5 },
  };
  for (const [path, data] of Object.entries(secrets)) await v1.put(path, data);
  const now = Date.UTC(2026, 2, 1);
  await upgradeKvV1ToV2(storage, now);
  for (const [path, data] of Object.entries(secrets)) {
    const meta = await metadataStore(storage).get(path);
    assert.ok(meta, path);
    assert.deepEqual([meta.current_version, meta.oldest_version, meta.created_time, meta.updated_time], [1, 1, now, now]);
    assert.deepEqual((await versionStore(storage, meta).get(1)).data, data);
  }
  assert.deepEqual(await storage.list(''), ['meta/', 'ver/']);
  assert.deepEqual(await metadataStore(storage).list(''), ['config', 'dir/', 'meta/', 'top', 'ver/']);
});

test('tuning a v1 mount to version 2 upgrades its data; a downgrade is refused', async () => {
  await srv.api('POST', 'legacy/app/db', { password: CANARY });
  await srv.api('POST', 'legacy/plain', { a: 1 });
  const tune = await srv.api('POST', 'sys/mounts/legacy/tune', { options: { version: '2' } });
  assert.ok(tune.status === 200 || tune.status === 204, JSON.stringify(tune.body));
  const r = await srv.api('GET', 'legacy/data/app/db');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data.data, { password: CANARY });
  assert.equal(r.body.data.metadata.version, 1);
  const meta = (await srv.api('GET', 'legacy/metadata/plain')).body.data;
  assert.deepEqual([meta.current_version, meta.oldest_version], [1, 1]);
  assert.deepEqual((await srv.api('LIST', 'legacy/metadata')).body.data.keys, ['app/', 'plain']);
  assert.equal((await srv.api('POST', 'legacy/data/plain', { data: { a: 2 }, options: { cas: 1 } })).body.data.version, 2);

  const down = await srv.api('POST', 'sys/mounts/legacy/tune', { options: { version: '1' } });
  assert.equal(down.status, 400);
  assert.match(down.body.errors[0], /cannot downgrade mount from version 2/);
});
