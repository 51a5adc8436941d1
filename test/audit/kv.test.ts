// A KV v2 secret through an audited server: neither the audit file nor the server log holds
// the value, and the HMAC logged for it is the one sys/audit-hash computes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CANARY, auditHash, enableFile, recordsFor, tempDir } from './helpers.js';

let srv: TestServer;
const dir = tempDir();
const file = join(dir, 'kv.log');
before(async () => {
  srv = await startTestServer();
  // Dev servers mount secret/ as kv-v2, as Vault's do; mount it where that is not so.
  if (!(await srv.api('GET', 'sys/mounts')).body.data['secret/']) {
    const mount = await srv.api('POST', 'sys/mounts/secret', { type: 'kv-v2' });
    assert.equal(mount.status, 204, JSON.stringify(mount.body));
  }
  await enableFile(srv, 'file', file);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a kv-v2 secret written and read appears nowhere but as its HMAC', async () => {
  const write = await srv.api('POST', 'secret/data/app', { data: { password: CANARY, port: 5432 } });
  assert.equal(write.status, 200, JSON.stringify(write.body));
  const read = await srv.api('GET', 'secret/data/app');
  assert.equal(read.body.data.data.password, CANARY);

  assert.ok(!readFileSync(file).includes(CANARY), 'the secret reached the audit log');
  assert.ok(!srv.log().includes(CANARY), 'the secret reached the server log');
  const hash = await auditHash(srv, 'file', CANARY);
  const [req] = recordsFor(file, 'secret/data/app', 'request');
  assert.deepEqual(req.request.data, { data: { password: hash, port: 5432 } });
  assert.equal(req.request.mount_type, 'kv');
  const resp = recordsFor(file, 'secret/data/app', 'response').find((r) => r.request.operation === 'read');
  assert.equal(resp.response.data.data.password, hash);
  assert.equal(typeof resp.response.data.metadata.version, 'number', 'numbers stay numbers');
});

test('reads of one version log the same hashed data; a new version or a deletion logs its own', async () => {
  await srv.api('POST', 'secret/data/memo', { data: { password: 'first' } });
  await srv.api('GET', 'secret/data/memo');
  await srv.api('GET', 'secret/data/memo');
  await srv.api('POST', 'secret/data/memo', { data: { password: 'second' } });
  await srv.api('GET', 'secret/data/memo');
  await srv.api('DELETE', 'secret/data/memo');
  await srv.api('GET', 'secret/data/memo');
  const reads = recordsFor(file, 'secret/data/memo', 'response').filter((r) => r.request.operation === 'read');
  assert.equal(reads.length, 4);
  const [first, second] = [await auditHash(srv, 'file', 'first'), await auditHash(srv, 'file', 'second')];
  assert.deepEqual(reads.map((r) => r.response.data.data?.password ?? null), [first, first, second, null]);
  assert.deepEqual(reads.map((r) => r.response.data.metadata.version), [1, 1, 2, 2]);
  // The deleted version's record shows its deletion time (hashed), which the live ones did not have.
  assert.equal(reads[2].response.data.metadata.deletion_time, await auditHash(srv, 'file', ''));
  assert.notEqual(reads[3].response.data.metadata.deletion_time, reads[2].response.data.metadata.deletion_time);
});

test('token lookups log the TTL left at each read', async () => {
  const token = (await srv.api('POST', 'auth/token/create', { ttl: '1h', policies: ['default'] })).body.auth.client_token as string;
  const lookup = () => srv.api('GET', 'auth/token/lookup-self', undefined, { 'X-Vault-Token': token });
  await lookup();
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await lookup();
  const logged = recordsFor(file, 'auth/token/lookup-self', 'response');
  assert.equal(logged.length, 2);
  assert.equal(logged[0].response.data.id, await auditHash(srv, 'file', token));
  assert.ok(logged[1].response.data.ttl < logged[0].response.data.ttl, `${logged[1].response.data.ttl} < ${logged[0].response.data.ttl}`);
});
