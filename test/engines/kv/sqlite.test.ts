// The KV engine on SQLite: its multi-key writes and the v1 → v2 upgrade go through real
// transactions and group commit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { CANARY, closeKvServer, mountKv } from './helpers.js';

let dir: string;
let srv: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-kv-'));
  srv = await startTestServer({ storage: { type: 'sqlite', path: join(dir, 'kv.db') } });
  await mountKv(srv, 'secret', '2');
  await mountKv(srv, 'old', '1');
});
after(async () => {
  await closeKvServer(srv);
  rmSync(dir, { recursive: true, force: true });
});

test('versions, pruning, destroy and metadata delete on SQLite', async () => {
  await srv.api('POST', 'secret/metadata/app', { max_versions: 3 });
  const writes = [];
  for (let i = 1; i <= 5; i++) writes.push(await srv.api('POST', 'secret/data/app', { data: { i, s: CANARY }, options: { cas: i - 1 } }));
  assert.deepEqual(writes.map((w) => w.status), [200, 200, 200, 200, 200]);
  let meta = (await srv.api('GET', 'secret/metadata/app')).body.data;
  assert.deepEqual([Object.keys(meta.versions), meta.oldest_version], [['3', '4', '5'], 3]);
  await srv.api('PUT', 'secret/destroy/app', { versions: [4] });
  assert.equal((await srv.api('GET', 'secret/data/app?version=4')).body.data.metadata.destroyed, true);
  assert.equal((await srv.api('GET', 'secret/data/app?version=5')).body.data.data.i, 5);
  assert.equal((await srv.api('DELETE', 'secret/metadata/app')).status, 204);
  assert.equal((await srv.api('GET', 'secret/metadata/app')).status, 404);
  meta = await srv.api('LIST', 'secret/metadata');
  assert.equal(meta.status, 404);
});

test('a v1 mount upgraded on SQLite keeps every secret', async () => {
  const paths = Array.from({ length: 50 }, (_, i) => `team${i % 5}/svc${i}`);
  await Promise.all(paths.map((p, i) => srv.api('POST', `old/${p}`, { n: i, s: CANARY })));
  const tune = await srv.api('POST', 'sys/mounts/old/tune', { options: { version: '2' } });
  assert.ok(tune.status < 300, JSON.stringify(tune.body));
  const reads = await Promise.all(paths.map((p) => srv.api('GET', `old/data/${p}`)));
  assert.deepEqual(reads.map((r) => r.body.data.data.n), paths.map((_, i) => i));
  assert.deepEqual((await srv.api('LIST', 'old/metadata/')).body.data.keys, ['team0/', 'team1/', 'team2/', 'team3/', 'team4/']);
});

test('40 concurrent writes of one key on SQLite get 40 distinct versions, each with its own data; a bad cas fails alone', async () => {
  const writes = Array.from({ length: 40 }, (_, i) => srv.api('POST', 'secret/data/hot', { data: { i, s: CANARY } }));
  const badCas = srv.api('POST', 'secret/data/hot', { data: { i: -1 }, options: { cas: 1000 } });
  const answers = await Promise.all(writes);
  assert.deepEqual(answers.map((a) => a.status), Array(40).fill(200));
  assert.equal((await badCas).status, 400);
  const versions = answers.map((a) => a.body.data.version as number);
  assert.deepEqual([...versions].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
  const meta = (await srv.api('GET', 'secret/metadata/hot')).body.data;
  assert.equal(meta.current_version, 40);
  for (const [i, version] of versions.entries()) {
    if (version <= 30) continue; // the newest 10 are kept
    const r = await srv.api('GET', `secret/data/hot?version=${version}`);
    assert.equal(r.body.data.data.i, i, `version ${version} holds another write's data`);
  }
});
