// storage "postgresql" and storage "etcd" blocks, in Vault's shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/server/config.js';
import { sharedStorageOf } from '../../src/server/storage-config.js';

const fail = (msg: string) => new Error(msg);

test('storage "postgresql": Vault\'s settings, HA with a lock timeout', () => {
  const config = parseConfig(`
storage "postgresql" {
  connection_url = "postgres://vault@db:5432/vault"
  table          = "kv"
  ha_table       = "locks"
  max_parallel   = "16"
  ha_enabled     = "true"
  lock_timeout   = "3s"
}
cluster_addr = "https://10.0.0.1:8201"
disable_clustering = true
`);
  assert.deepEqual(config.storage, {
    type: 'postgresql', connectionUrl: 'postgres://vault@db:5432/vault', table: 'kv', haTable: 'locks',
    maxParallel: 16, haEnabled: true, lockTtlMs: 3000,
  });
  assert.equal(config.clusterAddr, 'https://10.0.0.1:8201');
  assert.equal(config.disableClustering, true);
});

test('storage "postgresql": the environment\'s connection URL wins; without one it is required', () => {
  const env = { VAULT_PG_CONNECTION_URL: 'postgres://from-env/db' };
  assert.equal((sharedStorageOf('postgresql', { connection_url: 'postgres://file/db' }, fail, env) as { connectionUrl: string }).connectionUrl, 'postgres://from-env/db');
  assert.equal((sharedStorageOf('postgresql', {}, fail, { LOCKBOX_PG_CONNECTION_URL: 'postgres://lb/db', ...env }) as { connectionUrl: string }).connectionUrl, 'postgres://lb/db');
  assert.throws(() => sharedStorageOf('postgresql', {}, fail, {}), /needs connection_url/);
});

test('storage "etcd": address list, path, default lock timeout', () => {
  assert.deepEqual(sharedStorageOf('etcd', { address: 'http://a:2379, http://b:2379', path: '/vault', ha_enabled: 'true', etcd_api: 'v3' }, fail, {}), {
    type: 'etcd', hosts: ['http://a:2379', 'http://b:2379'], path: '/vault/', username: undefined, password: undefined,
    tls: undefined, haEnabled: true, lockTtlMs: 15_000,
  });
});

test('unsupported settings, a lock timeout under 2s and etcd v2 are refused by name', () => {
  assert.throws(() => sharedStorageOf('postgresql', { connection_url: 'x', upsert_function: 'f' }, fail, {}), /unsupported setting\(s\) upsert_function/);
  assert.throws(() => sharedStorageOf('etcd', { lock_timeout: '1s' }, fail, {}), /lock_timeout must be at least 2s/);
  assert.throws(() => sharedStorageOf('etcd', { etcd_api: 'v2' }, fail, {}), /only etcd_api = "v3"/);
  assert.throws(() => sharedStorageOf('etcd', { tls_ca_file: '/no/such/ca.pem' }, fail, {}), /cannot read tls_ca_file/);
});
