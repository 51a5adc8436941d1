// KV v2 on SQLite when a commit fails: every write of the failed batch is answered with a 500,
// none of it can be read afterwards, and the next writes commit normally.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectCommitFailures } from '../../../src/storage/sqlite-writer.js';
import { Internal } from '../../../src/util/errors.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { CANARY, closeKvServer, mountKv } from './helpers.js';

let dir: string;
let srv: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-kv-fault-'));
  srv = await startTestServer({ storage: { type: 'sqlite', path: join(dir, 'kv.db') } });
  await mountKv(srv, 'secret', '2');
});
after(async () => {
  await closeKvServer(srv);
  rmSync(dir, { recursive: true, force: true });
});

/** A KV v2 write as core receives it from HTTP. */
const write = (path: string, i: number) => srv.core.handle({
  id: `w-${path}-${i}`, operation: 'update', path: `secret/data/${path}`, data: { data: { i, s: CANARY } },
  query: {}, headers: {}, clientToken: srv.rootToken, remoteAddress: '127.0.0.1',
});

test('a failed commit fails every write of its batch, leaves none readable, and later writes succeed', async () => {
  const keys = Array.from({ length: 8 }, (_, i) => `batch/k${i}`);
  injectCommitFailures(1);
  // Started in one turn: their version writes reach storage in the same turn, so one commit.
  const outcomes = await Promise.allSettled(keys.map((k, i) => write(k, i)));
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    const err = (outcome as PromiseRejectedResult).reason;
    assert.ok(err instanceof Internal && err.status === 500, String(err));
    assert.equal(err.message, 'storage commit failed');
  }
  for (const k of keys) {
    assert.equal((await srv.api('GET', `secret/data/${k}`)).status, 404, `${k} is readable`);
    assert.equal((await srv.api('GET', `secret/metadata/${k}`)).status, 404, `${k} has metadata`);
  }
  assert.equal((await srv.api('LIST', 'secret/metadata/batch')).status, 404);
  // Nothing stays broken: the same writes now commit.
  const again = await Promise.all(keys.map((k, i) => write(k, i)));
  assert.deepEqual(again.map((o) => (o.response?.data as { version: number }).version), keys.map(() => 1));
  assert.deepEqual((await srv.api('GET', 'secret/data/batch/k3')).body.data.data, { i: 3, s: CANARY });
});

test('over HTTP a failed commit is a Vault-shaped 500 that names no key or value', async () => {
  injectCommitFailures(1);
  const res = await srv.api('POST', 'secret/data/http-fault', { data: { s: CANARY } });
  assert.equal(res.status, 500);
  // The HTTP layer shows a 500's cause to the log only.
  assert.deepEqual(res.body, { errors: ['internal error'] });
  assert.equal((await srv.api('GET', 'secret/data/http-fault')).status, 404);
  const ok = await srv.api('POST', 'secret/data/http-fault', { data: { s: CANARY } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.data.version, 1);
});

test('writes of a hot key staged behind a commit that fails run again one by one; only the one whose own commit failed is a 500', async () => {
  assert.equal((await srv.api('POST', 'secret/data/hot', { data: { i: 0 } })).status, 200);
  // Started in one turn: the first holds the key until its version is staged, the other five
  // are staged behind it (reading its version) and go out in the same commit, which fails.
  injectCommitFailures(1);
  const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => write('hot', i + 1)));
  const refused = outcomes.filter((o) => o.status === 'rejected');
  assert.equal(refused.length, 1, 'only the write whose own commit failed is refused');
  const err = (refused[0] as PromiseRejectedResult).reason;
  assert.ok(err instanceof Internal && err.status === 500, String(err));
  const stored = new Map<number, number>();
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') stored.set((o.value.response?.data as { version: number }).version, i + 1);
  });
  assert.deepEqual([...stored.keys()].sort((a, b) => a - b), [2, 3, 4, 5, 6]);
  const meta = (await srv.api('GET', 'secret/metadata/hot')).body.data;
  assert.equal(meta.current_version, 6);
  assert.deepEqual(Object.keys(meta.versions), ['1', '2', '3', '4', '5', '6']);
  for (const [v, i] of stored) {
    assert.equal((await srv.api('GET', `secret/data/hot?version=${v}`)).body.data.data.i, i);
  }
});

test('a hot key\'s lone write whose commit fails is answered 500 and leaves no version behind', async () => {
  assert.equal((await srv.api('POST', 'secret/data/lone', { data: { i: 0 } })).status, 200);
  injectCommitFailures(1);
  await assert.rejects(write('lone', 1), (err: unknown) => err instanceof Internal && err.status === 500);
  const meta = (await srv.api('GET', 'secret/metadata/lone')).body.data;
  assert.deepEqual([meta.current_version, Object.keys(meta.versions)], [1, ['1']]);
  assert.equal((await write('lone', 2)).response?.data?.version, 2);
});
