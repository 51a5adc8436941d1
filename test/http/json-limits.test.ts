// Findings "deep nesting crashes and can poison a secret" and the JSON limits of "the body is
// read and parsed before the token is checked": bodies deeper than 500 levels, objects or arrays
// with more than 10,000 entries and strings over 1 MiB are refused with a 400 while they stream in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { enableFile, tempDir } from '../audit/helpers.js';

let srv: TestServer;
const dir = tempDir();
before(async () => {
  srv = await startTestServer();
  await enableFile(srv, 'file', join(dir, 'audit.log'));
});
after(async () => { await srv.close(); rmSync(dir, { recursive: true, force: true }); });

const nested = (depth: number, open: string, close: string, leaf = '1') => open.repeat(depth) + leaf + close.repeat(depth);
const objects = (depth: number) => nested(depth, '{"a":', '}', '"s"');

test('deep nesting: objects 5,000 deep are a 400, not a 500', async () => {
  const r = await srv.api('POST', 'secret/data/deep', `{"data":${objects(5000)}}`);
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /nesting depth/);
});

test('deep nesting: arrays 20,000 deep are a 400 on any endpoint', async () => {
  for (const path of ['secret/data/deep', 'sys/policies/acl/x', 'auth/token/create']) {
    const r = await srv.api('POST', path, `{"data":${nested(20000, '[', ']')}}`);
    assert.equal(r.status, 400, path);
  }
});

test('deep nesting: a secret at depth 4,000 is refused, so no later read can fail', async () => {
  const w = await srv.api('POST', 'secret/data/poison', `{"data":{"v":${objects(4000)}}}`);
  assert.equal(w.status, 400);
  assert.equal((await srv.api('GET', 'secret/data/poison')).status, 404);
  const ok = await srv.api('POST', 'secret/data/fine', `{"data":{"v":${objects(400)}}}`);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await srv.api('GET', 'secret/data/fine')).status, 200);
});

test('JSON limits: more than 10,000 object entries or array elements are a 400', async () => {
  const wide = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, i]));
  assert.equal((await srv.api('POST', 'secret/data/wide', { data: wide })).status, 400);
  assert.equal((await srv.api('POST', 'secret/data/long', { data: { list: Array.from({ length: 10_001 }, () => 0) } })).status, 400);
  const fits = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
  assert.equal((await srv.api('POST', 'secret/data/wide', { data: fits })).status, 200);
});

test('JSON limits: a string over 1 MiB is a 400', async () => {
  const r = await srv.api('POST', 'secret/data/str', { data: { v: 'x'.repeat(1024 * 1024 + 1) } });
  assert.equal(r.status, 400);
  assert.match(r.body.errors[0], /string/);
});
