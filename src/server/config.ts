// The server's configuration file, in Vault's shape, as HCL1 or JSON (as Vault reads it):
//   storage "sqlite" { path = "/var/lib/lockbox/lockbox.db" }
//   listener "tcp" { address = "127.0.0.1:8200" tls_disable = true }
//   api_addr = "http://127.0.0.1:8200"  default_lease_ttl = "768h"  max_lease_ttl = "768h"
// Anything that would change what the server does but that we do not support (a second
// listener, an auto-unseal `seal` block) is refused rather than silently ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequest } from '../util/errors.js';
import { parseDurationSeconds } from '../util/duration.js';
import { decodeHcl1OrJson, Hcl1Error, looksLikeJson } from '../util/hcl1/index.js';
import type { LogLevel } from '../core/log.js';
import { parseLockoutTune, type LockoutTune } from '../core/lockout.js';
import type { StorageConfig } from '../storage/index.js';
import { sharedStorageOf } from './storage-config.js';

export type { StorageConfig };

/** A `listener "tcp"` block. */
export type ListenerSettings = {
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Bytes; undefined means the default (32 MiB), Infinity means no limit. */
  maxRequestSize?: number;
  /** Bytes a request without a valid token may send (Lockbox's own; default 1 MiB). */
  maxUnauthenticatedRequestSize?: number;
  /** Vault's max_json_depth, max_json_string_value_length, max_json_object_entry_count, max_json_array_element_count. */
  json: { maxDepth?: number; maxStringValueLength?: number; maxObjectEntryCount?: number; maxArrayElementCount?: number };
};

/** A parsed configuration file. */
export type ServerConfig = {
  storage: StorageConfig;
  listener: ListenerSettings;
  apiAddr?: string;
  /** HA: the address reported as leader_cluster_address. */
  clusterAddr?: string;
  /** HA: standbys redirect (307) rather than forward. */
  disableClustering: boolean;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  logLevel: LogLevel;
  logFile?: string;
  ui: boolean;
  clusterName?: string;
  /** `user_lockout "all" {…}` and `user_lockout "<auth type>" {…}` blocks, by label. */
  userLockout: Record<string, LockoutTune>;
};

/** Vault's default for both lease TTLs: 32 days. */
export const DEFAULT_LEASE_TTL = 768 * 3600;

/** The SQLite file inside a Vault `storage "file"` directory. */
export const FILE_STORAGE_DB = 'lockbox.db';

type Block = Record<string, unknown>;

/** Reads and parses a config file; HCL unless it is JSON. */
export function loadConfigFile(path: string): ServerConfig {
  return parseConfig(readFileSync(path, 'utf8'), path);
}

/** Parses config text; JSON when it starts with `{`, else HCL. */
export function parseConfig(text: string, source = 'config'): ServerConfig {
  const raw = parseText(text, source);
  const fail = (msg: string) => new BadRequest(`${source}: ${msg}`);
  // Vault: a zero TTL means "the default", and the default may not exceed the maximum.
  const defaultLeaseTtl = durationOf(raw.default_lease_ttl, 'default_lease_ttl', fail) || DEFAULT_LEASE_TTL;
  const maxLeaseTtl = durationOf(raw.max_lease_ttl, 'max_lease_ttl', fail) || DEFAULT_LEASE_TTL;
  if (defaultLeaseTtl > maxLeaseTtl) throw fail('default_lease_ttl may not be greater than max_lease_ttl');
  const seal = blocksOf(raw.seal, 'seal', fail);
  if (seal.some(([type]) => type !== 'shamir')) {
    throw fail(`seal "${seal.find(([type]) => type !== 'shamir')?.[0]}" is not supported: only the Shamir seal is`);
  }
  return {
    storage: storageOf(raw.storage, fail),
    listener: listenerOf(raw.listener, fail),
    apiAddr: optionalString(raw.api_addr),
    clusterAddr: optionalString(raw.cluster_addr),
    disableClustering: truthy(raw.disable_clustering),
    defaultLeaseTtl,
    maxLeaseTtl,
    logLevel: logLevelOf(raw.log_level, fail),
    logFile: optionalString(raw.log_file),
    ui: raw.ui === true || raw.ui === 'true',
    clusterName: optionalString(raw.cluster_name),
    userLockout: userLockoutOf(raw.user_lockout, fail),
  };
}

// Vault reads its config file with HCL1 (or JSON); a syntax error names line and column.
function parseText(text: string, source: string): Block {
  try {
    return decodeHcl1OrJson(text);
  } catch (err) {
    if (!(err instanceof Hcl1Error)) throw err;
    throw new BadRequest(`${source}: ${looksLikeJson(text) ? 'invalid JSON' : 'invalid HCL'}: ${err.message}`);
  }
}

/**
 * The `kind "type" { … }` blocks of one kind, as [type, body] pairs. HCL gives
 * `{ type: [ {…}, … ] }`; Vault's JSON form may write `{ type: {…} }` or `[ { type: {…} } ]`.
 */
function blocksOf(value: unknown, kind: string, fail: (msg: string) => Error): Array<[string, Block]> {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v) => blocksOf(v, kind, fail));
  if (typeof value !== 'object') throw fail(`${kind} must be a block`);
  const label = () => fail(`${kind} needs a type label, as in ${kind} "<type>" { … }`);
  if (Object.keys(value).length === 0) throw label(); // HCL's unlabelled `storage {}`
  const out: Array<[string, Block]> = [];
  for (const [type, body] of Object.entries(value)) {
    for (const b of Array.isArray(body) ? body : [body]) {
      if (!b || typeof b !== 'object' || Array.isArray(b)) throw label();
      out.push([type, b as Block]);
    }
  }
  return out;
}

/**
 * Vault's `user_lockout` stanzas: "all" or an auth type (userpass, approle, ldap), with
 * lockout_threshold, lockout_duration, lockout_counter_reset and disable_lockout.
 */
function userLockoutOf(value: unknown, fail: (msg: string) => Error): Record<string, LockoutTune> {
  const out: Record<string, LockoutTune> = {};
  for (const [label, body] of blocksOf(value, 'user_lockout', fail)) {
    if (!['all', 'userpass', 'approle', 'ldap'].includes(label)) throw fail(`user_lockout "${label}": unsupported auth method type`);
    const { disable_lockout: disable, ...rest } = body as Record<string, unknown>;
    try {
      out[label] = parseLockoutTune({ ...rest, ...(disable !== undefined ? { lockout_disable: String(disable) } : {}) }, {});
    } catch (err) {
      throw fail(`user_lockout "${label}": ${(err as Error).message}`);
    }
  }
  return out;
}

/** The one block of a kind; more than one is refused. */
function singleBlock(value: unknown, kind: string, fail: (msg: string) => Error): [string, Block] | undefined {
  const blocks = blocksOf(value, kind, fail);
  if (blocks.length > 1) throw fail(`only one ${kind} block is supported, found ${blocks.length}`);
  return blocks[0];
}

function storageOf(value: unknown, fail: (msg: string) => Error): StorageConfig {
  const block = singleBlock(value, 'storage', fail);
  if (!block) throw fail('a storage block is required, e.g. storage "sqlite" { path = "/var/lib/lockbox/lockbox.db" }');
  const [type, body] = block;
  if (type === 'inmem' || type === 'memory') return { type: 'memory' };
  if (type === 'sqlite' || type === 'file') {
    const path = optionalString(body.path);
    if (!path) throw fail(`storage "${type}" needs a path`);
    // Vault's file backend names a directory; we keep one SQLite file inside it.
    return { type: 'sqlite', path: type === 'file' ? join(path, FILE_STORAGE_DB) : path };
  }
  const shared = sharedStorageOf(type, body, fail);
  if (shared) return shared;
  throw fail(`unknown storage type "${type}" (supported: sqlite, file, inmem, postgresql, etcd)`);
}

function listenerOf(value: unknown, fail: (msg: string) => Error): ListenerSettings {
  const block = singleBlock(value, 'listener', fail);
  if (!block) return { address: '127.0.0.1:8200', tlsDisable: true, json: {} };
  const [type, body] = block;
  if (type !== 'tcp') throw fail(`unknown listener type "${type}" (supported: tcp)`);
  const settings: ListenerSettings = {
    address: optionalString(body.address) ?? '127.0.0.1:8200',
    tlsDisable: truthy(body.tls_disable),
    tlsCertFile: optionalString(body.tls_cert_file),
    tlsKeyFile: optionalString(body.tls_key_file),
    maxRequestSize: requestSizeOf(body.max_request_size, fail),
    maxUnauthenticatedRequestSize: requestSizeOf(body.max_unauthenticated_request_size, fail, 'max_unauthenticated_request_size'),
    json: {
      maxDepth: requestSizeOf(body.max_json_depth, fail, 'max_json_depth'),
      maxStringValueLength: requestSizeOf(body.max_json_string_value_length, fail, 'max_json_string_value_length'),
      maxObjectEntryCount: requestSizeOf(body.max_json_object_entry_count, fail, 'max_json_object_entry_count'),
      maxArrayElementCount: requestSizeOf(body.max_json_array_element_count, fail, 'max_json_array_element_count'),
    },
  };
  if (!settings.tlsDisable && (!settings.tlsCertFile || !settings.tlsKeyFile)) {
    throw fail('listener "tcp" needs tls_cert_file and tls_key_file, or tls_disable = true');
  }
  return settings;
}

// Vault: 0 or unset means the default; a negative number turns the limit off. The JSON limits
// read the same way.
function requestSizeOf(value: unknown, fail: (msg: string) => Error, name = 'max_request_size'): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw fail(`${name} must be a whole number`);
  return n === 0 ? undefined : n < 0 ? Infinity : n;
}

// Vault's HCL takes booleans as true, "true", 1 or "1".
const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

function durationOf(value: unknown, name: string, fail: (msg: string) => Error): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDurationSeconds(value);
  if (n === undefined) throw fail(`${name} is not a duration: use seconds or a string such as "768h"`);
  return n;
}

function logLevelOf(value: unknown, fail: (msg: string) => Error): LogLevel {
  if (value === undefined) return 'info';
  const level = String(value).toLowerCase();
  if (level === 'warning') return 'warn';
  if (['trace', 'debug', 'info', 'warn', 'error'].includes(level)) return level as LogLevel;
  throw fail(`unknown log_level "${String(value)}" (trace, debug, info, warn, error)`);
}

const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
