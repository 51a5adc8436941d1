// The server's configuration file, in Vault's shape, as HCL or JSON:
//   storage "sqlite" { path = "/var/lib/lockbox/lockbox.db" }
//   listener "tcp" { address = "127.0.0.1:8200" tls_disable = true }
//   api_addr = "http://127.0.0.1:8200"  default_lease_ttl = "768h"  max_lease_ttl = "768h"
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BadRequest } from '../errors.js';
import { parseDurationSeconds } from '../core/duration.js';
import type { LogLevel } from '../core/log.js';

/** Where physical data lives. */
export type StorageConfig = { type: 'memory' } | { type: 'sqlite'; path: string };

/** A `listener "tcp"` block. */
export type ListenerSettings = {
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  maxRequestSize?: number;
};

/** A parsed configuration file. */
export type ServerConfig = {
  storage: StorageConfig;
  listener: ListenerSettings;
  apiAddr?: string;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  logLevel: LogLevel;
  logFile?: string;
  ui: boolean;
  clusterName?: string;
};

/** Vault's default for both lease TTLs: 32 days. */
export const DEFAULT_LEASE_TTL = 768 * 3600;

const require = createRequire(import.meta.url);
const hcl = require('hcl2-parser') as { parseToObject(text: string): [unknown, unknown] };

/** Reads and parses a config file; HCL unless it is JSON. */
export function loadConfigFile(path: string): ServerConfig {
  return parseConfig(readFileSync(path, 'utf8'), path);
}

/** Parses config text; JSON when it starts with `{`, else HCL. */
export function parseConfig(text: string, source = 'config'): ServerConfig {
  let raw: Record<string, unknown>;
  if (text.trim().startsWith('{')) {
    raw = JSON.parse(text) as Record<string, unknown>;
  } else {
    const [value, error] = hcl.parseToObject(text);
    if (error) throw new BadRequest(`${source}: ${String(error)}`);
    raw = (value ?? {}) as Record<string, unknown>;
  }
  return {
    storage: storageOf(raw.storage, source),
    listener: listenerOf(raw.listener, source),
    apiAddr: optionalString(raw.api_addr),
    defaultLeaseTtl: durationOf(raw.default_lease_ttl, 'default_lease_ttl', source) ?? DEFAULT_LEASE_TTL,
    maxLeaseTtl: durationOf(raw.max_lease_ttl, 'max_lease_ttl', source) ?? DEFAULT_LEASE_TTL,
    logLevel: logLevelOf(raw.log_level, source),
    logFile: optionalString(raw.log_file),
    ui: raw.ui === true || raw.ui === 'true',
    clusterName: optionalString(raw.cluster_name),
  };
}

/** HCL gives `block "label" { … }` as `{ label: [ {…} ] }`; JSON may omit the array. */
function firstBlock(value: unknown): [string, Record<string, unknown>] | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  const first = entries[0];
  if (!first) return undefined;
  const body = Array.isArray(first[1]) ? first[1][0] : first[1];
  return [first[0], (body ?? {}) as Record<string, unknown>];
}

function storageOf(value: unknown, source: string): StorageConfig {
  const block = firstBlock(value);
  if (!block) throw new BadRequest(`${source}: a storage block is required`);
  const [type, body] = block;
  if (type === 'inmem' || type === 'memory') return { type: 'memory' };
  if (type === 'sqlite' || type === 'file') {
    const path = optionalString(body.path);
    if (!path) throw new BadRequest(`${source}: storage "${type}" needs a path`);
    return { type: 'sqlite', path };
  }
  throw new BadRequest(`${source}: unknown storage type "${type}" (supported: sqlite, inmem)`);
}

function listenerOf(value: unknown, source: string): ListenerSettings {
  const block = firstBlock(value);
  if (!block) return { address: '127.0.0.1:8200', tlsDisable: true };
  const [type, body] = block;
  if (type !== 'tcp') throw new BadRequest(`${source}: unknown listener type "${type}"`);
  const tlsDisable = body.tls_disable === true || body.tls_disable === 'true' || body.tls_disable === 1 || body.tls_disable === '1';
  const settings: ListenerSettings = {
    address: optionalString(body.address) ?? '127.0.0.1:8200',
    tlsDisable,
    tlsCertFile: optionalString(body.tls_cert_file),
    tlsKeyFile: optionalString(body.tls_key_file),
    maxRequestSize: typeof body.max_request_size === 'number' ? body.max_request_size : undefined,
  };
  if (!tlsDisable && (!settings.tlsCertFile || !settings.tlsKeyFile)) {
    throw new BadRequest(`${source}: listener "tcp" needs tls_cert_file and tls_key_file, or tls_disable = true`);
  }
  return settings;
}

function durationOf(value: unknown, name: string, source: string): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDurationSeconds(value);
  if (n === undefined) throw new BadRequest(`${source}: ${name} is not a duration`);
  return n;
}

function logLevelOf(value: unknown, source: string): LogLevel {
  if (value === undefined) return 'info';
  const level = String(value).toLowerCase();
  if (['trace', 'debug', 'info', 'warn', 'error'].includes(level)) return level as LogLevel;
  throw new BadRequest(`${source}: unknown log_level "${String(value)}"`);
}

const optionalString = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
