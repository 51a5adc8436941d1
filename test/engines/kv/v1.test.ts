// KV version 1: the whole body is the secret; reads carry an advisory lease_duration.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { advisoryTtl } from '../../../src/engines/kv/v1.js';
import { CANARY, closeKvServer, mountKv, startKvServer } from './helpers.js';

let srv: TestServer;

before(async () => {
  ({ srv } = await startKvServer('1', 'kv'));
});
after(async () => closeKvServer(srv));

test('a write stores the body as sent; a read returns it without a lease', async () => {
  const body = { password: CANARY, port: 5432, nested: { a: [1, 2] } };
  assert.equal((await srv.api('POST', 'kv/app/db', body)).status, 204);
  const r = await srv.api('GET', 'kv/app/db');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data, body);
  assert.deepEqual([r.body.lease_id, r.body.renewable], ['', false]);
  assert.equal((await srv.api('GET', 'sys/leases/lookup/kv?list=true')).status, 404);
});

test('advisoryTtl: the ttl or lease key when it parses, else the mount default, else 768h', () => {
  assert.equal(advisoryTtl(0, 2764800, { a: 1 }), 2764800);
  assert.equal(advisoryTtl(600, 2764800, { a: 1 }), 600);
  assert.equal(advisoryTtl(0, 2764800, { ttl: '1h' }), 3600);
  assert.equal(advisoryTtl(0, 2764800, { lease: 90 }), 90);
  assert.equal(advisoryTtl(0, 2764800, { ttl: 'whenever' }), 2764800);
});


test('a read shows the default 768h as lease_duration, as Vault does', async () => {
  await srv.api('POST', 'kv/default-ttl', { a: 1 });
  const r = await srv.api('GET', 'kv/default-ttl');
  assert.deepEqual([r.body.lease_id, r.body.lease_duration, r.body.renewable], ['', 2764800, false]);
});

test('a ttl key sets the advisory lease duration and stays in the data', async () => {
  await srv.api('PUT', 'kv/with-ttl', { value: 1, ttl: '1h' });
  const r = await srv.api('GET', 'kv/with-ttl');
  assert.deepEqual([r.body.lease_duration, r.body.data.ttl], [3600, '1h']);
  await srv.api('PUT', 'kv/with-lease', { value: 1, lease: 90 });
  assert.equal((await srv.api('GET', 'kv/with-lease')).body.lease_duration, 90);
  await srv.api('PUT', 'kv/bad-ttl', { value: 1, ttl: 'whenever' });
  assert.equal((await srv.api('GET', 'kv/bad-ttl')).body.lease_duration, 2764800);
});

test('writes replace, never merge; an empty write is refused', async () => {
  await srv.api('POST', 'kv/replace', { a: 1, b: 2 });
  await srv.api('POST', 'kv/replace', { c: 3 });
  assert.deepEqual((await srv.api('GET', 'kv/replace')).body.data, { c: 3 });
  const empty = await srv.api('POST', 'kv/replace', {});
  assert.deepEqual([empty.status, empty.body.errors], [400, ['missing data fields']]);
});

test('delete removes; missing reads are 404 with an empty errors list', async () => {
  await srv.api('POST', 'kv/short', { a: 1 });
  assert.equal((await srv.api('DELETE', 'kv/short')).status, 204);
  assert.deepEqual(await srv.api('GET', 'kv/short').then((r) => [r.status, r.body]), [404, { errors: [] }]);
  assert.equal((await srv.api('DELETE', 'kv/short')).status, 204);
});

test('LIST is folder-style at any level, with after and limit', async () => {
  for (const p of ['dir/a', 'dir/b', 'dir/sub/c', 'dir/sub/d/e']) await srv.api('POST', `kv/${p}`, { v: 1 });
  assert.deepEqual((await srv.api('LIST', 'kv/dir')).body.data.keys, ['a', 'b', 'sub/']);
  assert.deepEqual((await srv.api('GET', 'kv/dir/sub?list=true')).body.data.keys, ['c', 'd/']);
  assert.deepEqual((await srv.api('LIST', 'kv/dir?after=a&limit=1')).body.data.keys, ['b']);
  assert.ok((await srv.api('LIST', 'kv/')).body.data.keys.includes('dir/'));
  assert.equal((await srv.api('LIST', 'kv/nothing')).status, 404);
});

test('a body may use the names after and limit: v1 stores them as data', async () => {
  await srv.api('POST', 'kv/names', { after: 'x', limit: 'none' });
  assert.deepEqual((await srv.api('GET', 'kv/names')).body.data, { after: 'x', limit: 'none' });
});

test('options.version "1" and no options both mount v1; an unknown version is refused', async () => {
  await mountKv(srv, 'explicit-v1', '1');
  await srv.api('POST', 'explicit-v1/x', { a: 1 });
  assert.deepEqual((await srv.api('GET', 'explicit-v1/x')).body.data, { a: 1 });
  const bad = await srv.api('POST', 'sys/mounts/v3', { type: 'kv', options: { version: '3' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.errors[0], /invalid version provided: 3/);
});
