// The server's configuration file, in Vault's shape, as HCL1 or JSON (as Vault reads it):
//   storage "sqlite" { path = "/var/lib/lockbox/lockbox.db" }
//   listener "tcp" { address = "127.0.0.1:8200" tls_disable = true }
//   api_addr = "http://127.0.0.1:8200"  default_lease_ttl = "768h"  max_lease_ttl = "768h"
// Anything that would change what the server does but that we do not support (a second
// listener, a seal type other than shamir, transit and pkcs11) is refused rather than silently ignored; settings of
// Vault's that change nothing here (disable_mlock, plugin_directory…) and unknown keys are
// warned about by name. `-config` may name files or directories (their *.hcl and *.json
// files, in name order), merged as Vault merges them: later scalars and storage win,
// listeners add up.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BadRequest } from '../util/errors.js';
import { parseDurationSeconds } from '../util/duration.js';
import { decodeHcl1OrJson, Hcl1Error, looksLikeJson } from '../util/hcl1/index.js';
import type { LogLevel } from '../core/log.js';
import { parseLockoutTune, type LockoutTune } from '../core/lockout.js';
import { DEFAULT_TELEMETRY, type TelemetryOptions } from '../util/telemetry.js';
import type { StorageConfig } from '../storage/index.js';
import { sharedStorageOf } from './storage-config.js';
import { sealBlocksOf, type SealBlock } from './seal-config.js';

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
  /** The auto seal blocks (none: Shamir); one may be disabled, marking a migration. */
  seal: SealBlock[];
  apiAddr?: string;
  /** HA: the address reported as leader_cluster_address. */
  clusterAddr?: string;
  /** HA: standbys redirect (307) rather than forward. */
  disableClustering: boolean;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  logLevel: LogLevel;
  logFormat: 'standard' | 'json';
  logFile?: string;
  ui: boolean;
  clusterName?: string;
  /** `user_lockout "all" {…}` and `user_lockout "<auth type>" {…}` blocks, by label. */
  userLockout?: Record<string, LockoutTune>;
  /** The telemetry block and the listener's telemetry { unauthenticated_metrics_access }. */
  telemetry: TelemetryOptions;
  /** Hosts (`host` or `host:port`) aws-sm rotation may call as `lockbox:webhook:<url>`. */
  awsSmWebhookHosts?: string[];
  /** Keys that change nothing here, by name, for the start-up log. */
  warnings: string[];
};

/** Vault's default for both lease TTLs: 32 days. */
export const DEFAULT_LEASE_TTL = 768 * 3600;

/** The SQLite file inside a Vault `storage "file"` directory. */
export const FILE_STORAGE_DB = 'lockbox.db';

type Block = Record<string, unknown>;

/** Top-level keys we act on. */
const SUPPORTED = new Set([
  'storage', 'listener', 'seal', 'telemetry', 'api_addr', 'cluster_addr', 'disable_clustering', 'default_lease_ttl',
  'max_lease_ttl', 'log_level', 'log_format', 'log_file', 'ui', 'cluster_name', 'user_lockout', 'aws_sm_rotation_webhook_hosts',
]);
/** Vault's other keys: accepted so a Vault file loads, but they change nothing here. */
const VAULT_ONLY = new Set([
  'backend', 'ha_storage', 'ha_backend', 'service_registration', 'cache_size', 'disable_cache', 'disable_mlock',
  'plugin_directory', 'plugin_file_uid', 'plugin_file_permissions', 'raw_storage_endpoint', 'pid_file',
  'introspection_endpoint', 'enable_response_header_hostname', 'enable_response_header_raft_node_id',
  'log_rotate_duration', 'log_rotate_bytes', 'log_rotate_max_files', 'default_max_request_duration',
  'disable_performance_standby', 'disable_sealwrap', 'disable_printable_check', 'disable_sentinel_trace', 'license_path',
  'experiments', 'entropy', 'imprecise_lease_role_tracking', 'detect_deadlocks',
  'administrative_namespace_path', 'api_proxy',
]);
/** Keys we act on inside the blocks whose keys are fixed. */
const BLOCK_KEYS: Record<string, Set<string>> = {
  'listener "tcp"': new Set([
    'address', 'tls_disable', 'tls_cert_file', 'tls_key_file', 'max_request_size', 'max_unauthenticated_request_size',
    'max_json_depth', 'max_json_string_value_length', 'max_json_object_entry_count', 'max_json_array_element_count', 'telemetry',
  ]),
  'storage "sqlite"': new Set(['path']), 'storage "file"': new Set(['path']), 'storage "inmem"': new Set(), 'storage "memory"': new Set(),
  'seal "shamir"': new Set(),
};
const TELEMETRY_KEYS = new Set(['prometheus_retention_time', 'disable_hostname']);

/** Go's wording for a file that cannot be read, which operators search for. */
function readError(path: string, err: NodeJS.ErrnoException): BadRequest {
  const reason = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied'
    : err.code === 'EISDIR' ? 'is a directory' : err.code ?? 'cannot be read';
  return new BadRequest(`Error loading configuration from ${path}: open ${path}: ${reason}`);
}

/** The files a -config path stands for: itself, or a directory's *.hcl and *.json in name order. */
function configFiles(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path).filter((f) => /\.(hcl|json)$/.test(f)).sort().map((f) => join(path, f));
  } catch (err) {
    throw readError(path, err as NodeJS.ErrnoException);
  }
}

/** Vault's merge: later scalars and storage replace earlier ones; listener and seal blocks add up. */
function merge(into: Block, next: Block): Block {
  const out = { ...into };
  for (const [key, value] of Object.entries(next)) {
    out[key] = (key === 'listener' || key === 'seal') && out[key] !== undefined ? [out[key], value].flat() : value;
  }
  return out;
}

/** Reads, parses and merges config files or directories; every error says what was being loaded. */
export function loadConfigFile(...paths: string[]): ServerConfig {
  try {
    let raw: Block = {};
    let files = 0;
    for (const path of paths) {
      for (const file of configFiles(path)) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw readError(file, err as NodeJS.ErrnoException);
        }
        raw = merge(raw, parseText(text, file));
        files++;
      }
    }
    if (files === 0) throw new BadRequest('no .hcl or .json files found');
    return buildConfig(raw, paths.join(', '));
  } catch (err) {
    if (!(err instanceof BadRequest) || err.message.startsWith('Error loading configuration')) throw err;
    throw new BadRequest(`Error loading configuration from ${paths.join(', ')}: ${err.message}`);
  }
}

/** Parses config text; JSON when it starts with `{`, else HCL. */
export function parseConfig(text: string, source = 'config'): ServerConfig {
  return buildConfig(parseText(text, source), source);
}

function buildConfig(raw: Block, source: string): ServerConfig {
  const fail = (msg: string) => new BadRequest(`${source}: ${msg}`);
  // Vault: a zero TTL means "the default", and the default may not exceed the maximum.
  const defaultLeaseTtl = durationOf(raw.default_lease_ttl, 'default_lease_ttl', fail) || DEFAULT_LEASE_TTL;
  const maxLeaseTtl = durationOf(raw.max_lease_ttl, 'max_lease_ttl', fail) || DEFAULT_LEASE_TTL;
  if (defaultLeaseTtl > maxLeaseTtl) throw fail('default_lease_ttl may not be greater than max_lease_ttl');
  return {
    storage: storageOf(raw.storage, fail),
    listener: listenerOf(raw.listener, fail),
    seal: sealBlocksOf(blocksOf(raw.seal, 'seal', fail), fail),
    apiAddr: optionalString(raw.api_addr),
    clusterAddr: optionalString(raw.cluster_addr),
    disableClustering: truthy(raw.disable_clustering),
    defaultLeaseTtl,
    maxLeaseTtl,
    logLevel: logLevelOf(raw.log_level, fail),
    logFormat: logFormatOf(raw.log_format, fail),
    logFile: optionalString(raw.log_file),
    ui: raw.ui === true || raw.ui === 'true',
    clusterName: optionalString(raw.cluster_name),
    ...userLockoutOf(raw.user_lockout, fail),
    telemetry: telemetryOf(raw, fail),
    ...webhookHostsOf(raw.aws_sm_rotation_webhook_hosts, fail),
    warnings: warningsOf(raw, fail),
  };
}

/** aws_sm_rotation_webhook_hosts: a list of `host` or `host:port` strings. */
function webhookHostsOf(value: unknown, fail: (msg: string) => Error): { awsSmWebhookHosts?: string[] } {
  if (value === undefined) return {};
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw fail('aws_sm_rotation_webhook_hosts must be a list of host names');
  return { awsSmWebhookHosts: value as string[] };
}

/** Every key that changes nothing here, named, so an operator knows it was not applied. */
function warningsOf(raw: Block, fail: (msg: string) => Error): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(raw).sort()) {
    if (SUPPORTED.has(key)) continue;
    warnings.push(VAULT_ONLY.has(key)
      ? `configuration key "${key}" is not supported by Lockbox and is ignored`
      : `unknown configuration key "${key}" is ignored`);
  }
  for (const key of Object.keys(telemetryBlock(raw.telemetry))) {
    if (!TELEMETRY_KEYS.has(key)) warnings.push(`telemetry: key "${key}" is not supported and is ignored`);
  }
  for (const kind of ['storage', 'listener', 'seal']) {
    for (const [type, body] of blocksOf(raw[kind], kind, fail)) {
      const known = BLOCK_KEYS[`${kind} "${type}"`];
      if (!known) continue; // shared storage backends (postgresql, etcd) check their own keys
      for (const key of Object.keys(body)) if (!known.has(key)) warnings.push(`${kind} "${type}": key "${key}" is not supported and is ignored`);
    }
  }
  return warnings;
}

/** An unlabelled block: HCL gives `[ {…} ]`, JSON `{…}`. */
function telemetryBlock(value: unknown): Block {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === 'object' ? (v as Block) : {};
}

function telemetryOf(raw: Block, fail: (msg: string) => Error): TelemetryOptions {
  const t = telemetryBlock(raw.telemetry);
  const retention = t.prometheus_retention_time === undefined
    ? DEFAULT_TELEMETRY.prometheusRetentionSeconds : durationOf(t.prometheus_retention_time, 'prometheus_retention_time', fail) ?? 0;
  const listener = singleBlock(raw.listener, 'listener', fail)?.[1];
  return {
    prometheusRetentionSeconds: retention,
    disableHostname: truthy(t.disable_hostname),
    unauthenticatedMetricsAccess: truthy(telemetryBlock(listener?.telemetry).unauthenticated_metrics_access),
  };
}

function logFormatOf(value: unknown, fail: (msg: string) => Error): 'standard' | 'json' {
  if (value === undefined || value === '') return 'standard';
  const format = String(value).toLowerCase();
  if (format === 'standard' || format === 'json') return format;
  throw fail(`unknown log_format "${String(value)}" (standard, json)`);
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
function userLockoutOf(value: unknown, fail: (msg: string) => Error): { userLockout?: Record<string, LockoutTune> } {
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
  // Absent when the file has none, so a config without lockout reads as before.
  return Object.keys(out).length > 0 ? { userLockout: out } : {};
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
