// The `storage "postgresql"` and `storage "etcd"` blocks, in Vault's shape. Settings Vault has
// but we do not honour are refused by name rather than accepted and ignored.
import { readFileSync } from 'node:fs';
import { parseDurationSeconds } from '../util/duration.js';
import type { StorageConfig } from '../storage/index.js';
import { DEFAULT_LOCK_TTL_MS, MIN_LOCK_TTL_MS } from '../storage/ha.js';

type Block = Record<string, unknown>;
type Fail = (msg: string) => Error;

const POSTGRES_KEYS = new Set(['connection_url', 'table', 'max_parallel', 'ha_enabled', 'ha_table', 'lock_timeout']);
const ETCD_KEYS = new Set(['address', 'path', 'ha_enabled', 'lock_timeout', 'tls_ca_file', 'tls_cert_file',
  'tls_key_file', 'username', 'password', 'etcd_api']);

/** The shared (HA-capable) backend a block names, or undefined for another type. */
export function sharedStorageOf(type: string, body: Block, fail: Fail, env = process.env): StorageConfig | undefined {
  if (type === 'postgresql') {
    refuseUnknown(type, body, POSTGRES_KEYS, fail);
    // As with Vault, the environment wins, so the password need not be in the file.
    const connectionUrl = env.LOCKBOX_PG_CONNECTION_URL || env.VAULT_PG_CONNECTION_URL || text(body.connection_url);
    if (!connectionUrl) throw fail('storage "postgresql" needs connection_url (or VAULT_PG_CONNECTION_URL)');
    return {
      type, connectionUrl, table: text(body.table), haTable: text(body.ha_table),
      maxParallel: positiveInt(body.max_parallel, 'max_parallel', fail), ...haOf(type, body, fail),
    };
  }
  if (type === 'etcd') {
    refuseUnknown(type, body, ETCD_KEYS, fail);
    if (body.etcd_api !== undefined && String(body.etcd_api) !== 'v3') throw fail('storage "etcd": only etcd_api = "v3" is supported');
    const file = (name: string) => {
      const path = text(body[name]);
      if (!path) return undefined;
      try { return readFileSync(path); } catch { throw fail(`storage "etcd": cannot read ${name} ${path}`); }
    };
    const hosts = (text(body.address) ?? 'http://127.0.0.1:2379').split(',').map((a) => a.trim()).filter(Boolean);
    const path = text(body.path) ?? '/lockbox/';
    return {
      type, hosts, path: path.endsWith('/') ? path : `${path}/`,
      username: text(body.username), password: text(body.password),
      tls: body.tls_ca_file || body.tls_cert_file ? { ca: file('tls_ca_file'), cert: file('tls_cert_file'), key: file('tls_key_file') } : undefined,
      ...haOf(type, body, fail),
    };
  }
  return undefined;
}

function haOf(type: string, body: Block, fail: Fail) {
  const haEnabled = body.ha_enabled === true || body.ha_enabled === 'true' || body.ha_enabled === '1';
  let lockTtlMs = DEFAULT_LOCK_TTL_MS;
  if (body.lock_timeout !== undefined) {
    const seconds = parseDurationSeconds(body.lock_timeout);
    if (seconds === undefined) throw fail(`storage "${type}": lock_timeout is not a duration`);
    lockTtlMs = seconds * 1000;
    if (lockTtlMs < MIN_LOCK_TTL_MS) throw fail(`storage "${type}": lock_timeout must be at least 2s`);
  }
  return { haEnabled, lockTtlMs };
}

function refuseUnknown(type: string, body: Block, known: Set<string>, fail: Fail): void {
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0) throw fail(`storage "${type}": unsupported setting(s) ${unknown.join(', ')}`);
}

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function positiveInt(v: unknown, name: string, fail: Fail): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw fail(`${name} must be a positive whole number`);
  return n;
}
