// One configuration file → AgentConfig, stanza by stanza, with Vault Agent's messages. Each
// reader asks its Body for the keys it knows and then calls finish(), which refuses the rest.
import { constants } from 'node:os';
import { Body, parseDurationMs } from './body.js';
import { ConfigError, describeWhere, type Document } from './tree.js';
import {
  DEFAULT_NUM_RETRIES, DEFAULT_TEMPLATE_CONFIG,
  type AgentConfig, type ApiProxy, type AutoAuth, type Cache, type Command, type EnvTemplate, type Exec, type Listener,
  type Method, type MethodConfig, type Sink, type Template, type TemplateConfig, type VaultConfig,
} from './types.js';

const METHOD_TYPES = ['approle', 'jwt', 'kubernetes', 'token_file'] as const;
const DEFAULT_K8S_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Parses one file's document; cross-stanza rules are checked after merging (validate.ts). */
export function parseConfig(doc: Document, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const root = new Body(doc.entries, '', { file: doc.file, line: 1, column: 1 }, doc.json);
  const wrap = <T>(what: string, read: () => T): T => {
    try {
      return read();
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`error parsing '${what}': ${err.message}`);
      throw err;
    }
  };
  const autoAuthBlocks = root.blocks('auto_auth', false);
  if (autoAuthBlocks.length > 1) throw new ConfigError(`error parsing 'auto_auth': at most one "auto_auth" block is allowed`);
  const autoAuth = autoAuthBlocks[0] ? wrap('auto_auth', () => parseAutoAuth((autoAuthBlocks[0] as { body: Body }).body, env)) : undefined;
  const cacheBody = wrap('cache', () => root.optionalBlock('cache', 'one and only one "cache" block is required'));
  const cache = cacheBody ? wrap('cache', () => parseCache(cacheBody)) : undefined;
  const proxyBody = wrap('api_proxy', () => root.optionalBlock('api_proxy', 'one and only one "api_proxy" block is required'));
  let apiProxy = proxyBody ? wrap('api_proxy', () => parseApiProxy(proxyBody)) : undefined;
  // Vault: a cache block's use_auto_auth_token stands for api_proxy's when there is none.
  if (cache && !apiProxy && cache.useAutoAuthToken) {
    apiProxy = { useAutoAuthToken: true, forceAutoAuthToken: cache.forceAutoAuthToken, useAutoAuthTokenSet: true };
  }
  const tcBody = wrap('template_config', () => root.optionalBlock('template_config', 'at most one "template_config" block is allowed'));
  const templateConfig = tcBody ? wrap('template_config', () => parseTemplateConfig(tcBody)) : undefined;
  const templates = wrap('template', () => root.blocks('template', false).map(({ body }) => parseTemplate(body)));
  const execBody = wrap('exec', () => root.optionalBlock('exec', 'at most one "exec" block is allowed'));
  const exec = execBody ? wrap('exec', () => parseExec(execBody)) : undefined;
  const envTemplates = wrap('env_template', () => root.blocks('env_template', true).map(({ label, body }) => parseEnvTemplate(label, body)));
  const vaultBody = wrap('vault', () => root.optionalBlock('vault', 'one and only one "vault" block is required'));
  const vault = vaultBody ? wrap('vault', () => parseVault(vaultBody)) : undefined;
  const listeners = wrap('listeners', () => root.blocks('listener', true).map(({ label, body }) => parseListener(label, body)));
  const logLevel = root.string('log_level');
  if (logLevel !== undefined && !['trace', 'debug', 'info', 'warn', 'error'].includes(logLevel.toLowerCase())) {
    root.fail('log_level', `unknown log level: ${logLevel}`);
  }
  // Node never locks memory, so disable_mlock = true already holds; false cannot be honoured.
  if (root.bool('disable_mlock') === false) root.fail('disable_mlock', 'lockbox agent cannot lock memory: set disable_mlock = true or remove it');
  const config: AgentConfig = {
    autoAuth, cache, apiProxy, templateConfig, templates, exec, envTemplates, vault, listeners,
    exitAfterAuth: root.bool('exit_after_auth') ?? false,
    pidFile: root.string('pid_file') ?? '',
    logLevel: logLevel?.toLowerCase(),
  };
  root.finish();
  return config;
}

function parseAutoAuth(body: Body, env: NodeJS.ProcessEnv): AutoAuth {
  const methods = body.blocks('method', true);
  if (methods.length !== 1) throw new ConfigError(`error parsing 'method': one and only one "method" block is required`);
  const m = methods[0] as { label?: string; body: Body };
  let method: Method;
  try {
    method = parseMethod(m.label, m.body);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`error parsing 'method': ${err.message}`);
    throw err;
  }
  let sinks: Sink[];
  try {
    sinks = body.blocks('sink', true).map(({ label, body: b }) => parseSink(label, b, env));
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`error parsing 'sink' stanzas: ${err.message}`);
    throw err;
  }
  if (method.wrapTtlMs > 0) {
    if (sinks.length !== 1) throw new ConfigError('error parsing auto_auth: wrapping enabled on auth method and 0 or many sinks defined');
    if ((sinks[0] as Sink).wrapTtlMs > 0) throw new ConfigError('error parsing auto_auth: wrapping enabled both on auth method and sink');
  }
  const revokeOnShutdown = body.bool('revoke_on_shutdown') ?? false;
  body.finish();
  return { method, sinks, revokeOnShutdown };
}

function typeOf(label: string | undefined, body: Body, kind: string): string {
  const t = body.string('type') ?? label;
  if (t === undefined || t === '') throw new ConfigError(`${kind} type must be specified`);
  return t.toLowerCase();
}

function parseMethod(label: string | undefined, body: Body): Method {
  const type = typeOf(label, body, 'method');
  if (!(METHOD_TYPES as readonly string[]).includes(type)) {
    body.fail('type', `auth method "${type}" is not supported by lockbox agent (supported: ${METHOD_TYPES.join(', ')})`);
  }
  const mountPath = (body.string('mount_path') || `auth/${type}`).replace(/\/+$/, '');
  const wrapTtlMs = body.duration('wrap_ttl') ?? 0;
  const minBackoffMs = body.duration('min_backoff') || 1000;
  const maxBackoffMs = body.duration('max_backoff') || 5 * 60_000;
  const exitOnErr = body.bool('exit_on_err') ?? false;
  if (body.has('namespace')) body.fail('namespace', 'namespaces are not supported by lockbox');
  const configs = body.blocks('config', false);
  if (configs.length > 1) body.fail('config', 'only one "config" block is allowed');
  const cfgBody = configs[0]?.body ?? new Body([], `${body.path}.config`, body.at, body.json);
  let config: MethodConfig;
  try {
    config = parseMethodConfig(type as MethodConfig['type'], cfgBody);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`error creating ${type} auth method: ${err.message}`);
    throw err;
  }
  body.finish();
  return { type: type as Method['type'], mountPath, wrapTtlMs, minBackoffMs, maxBackoffMs: Math.max(maxBackoffMs, minBackoffMs), exitOnErr, config };
}

/** Vault's per-method checks and messages ("missing 'role_id_file_path' value"). */
function parseMethodConfig(type: MethodConfig['type'], c: Body): MethodConfig {
  const required = (name: string): string => {
    if (!c.has(name)) throw new ConfigError(`missing '${name}' value`);
    const v = c.value(name);
    if (v?.kind !== 'literal' || typeof v.value !== 'string') c.fail(name, `could not convert '${name}' config value to string`);
    if (v.value === '') c.fail(name, `'${name}' value is empty`);
    return v.value;
  };
  const optional = (name: string): string | undefined => (c.has(name) ? required(name) : undefined);
  let out: MethodConfig;
  switch (type) {
    case 'approle': {
      const roleIdFilePath = required('role_id_file_path');
      const secretIdFilePath = c.string('secret_id_file_path') || undefined;
      const removeSecretIdFileAfterReading = c.bool('remove_secret_id_file_after_reading') ?? true;
      const secretIdResponseWrappingPath = optional('secret_id_response_wrapping_path');
      if (secretIdResponseWrappingPath !== undefined && secretIdFilePath === undefined) {
        c.fail('secret_id_response_wrapping_path', "'secret_id_response_wrapping_path' needs 'secret_id_file_path'");
      }
      out = { type, roleIdFilePath, secretIdFilePath, removeSecretIdFileAfterReading, secretIdResponseWrappingPath };
      break;
    }
    case 'jwt': {
      const path = required('path');
      const role = required('role');
      const removeJwtAfterReading = c.bool('remove_jwt_after_reading') ?? true;
      const period = c.duration('jwt_read_period');
      out = { type, path, role, removeJwtAfterReading, jwtReadPeriodMs: period ?? (removeJwtAfterReading ? 500 : 60_000) };
      break;
    }
    case 'kubernetes':
      out = { type, role: required('role'), tokenPath: optional('token_path') ?? DEFAULT_K8S_TOKEN };
      break;
    case 'token_file':
      out = { type, tokenFilePath: required('token_file_path') };
      break;
  }
  c.finish();
  return out;
}

function parseSink(label: string | undefined, body: Body, env: NodeJS.ProcessEnv): Sink {
  const type = typeOf(label, body, 'sink');
  if (type !== 'file') body.fail('type', `sink type "${type}" is not supported by lockbox agent (supported: file)`);
  const prefix = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`sink.${type}: ${err.message}`);
      throw err;
    }
  };
  const wrapTtlMs = body.duration('wrap_ttl') ?? 0;
  const dhType = body.string('dh_type') ?? '';
  const dhPath = body.string('dh_path') ?? '';
  const deriveKey = body.bool('derive_key') ?? false;
  const aadEnv = body.string('aad_env_var') ?? '';
  const aad = aadEnv !== '' ? env[aadEnv] ?? '' : body.string('aad') ?? '';
  prefix(() => {
    if (dhType !== '' && dhType !== 'curve25519') throw new ConfigError("invalid value for 'dh_type'");
    if (dhPath === '' && dhType === '') {
      if (aad !== '') throw new ConfigError("specifying AAD data without 'dh_type' does not make sense");
      if (deriveKey) throw new ConfigError("specifying 'derive_key' data without 'dh_type' does not make sense");
    } else if (dhPath === '' || dhType === '') {
      throw new ConfigError("'dh_type' and 'dh_path' must be specified together");
    }
  });
  const configs = body.blocks('config', false);
  const c: Body = configs[0]?.body ?? new Body([], `${body.path}.config`, body.at, body.json);
  if (!c.has('path')) throw new ConfigError(`${describeWhere(body.at)}: error creating file sink: 'path' not specified for file sink`);
  const pathValue = c.value('path');
  if (pathValue?.kind !== 'literal' || typeof pathValue.value !== 'string') c.fail('path', "error creating file sink: could not parse 'path' as string");
  let mode = 0o640;
  if (c.has('mode')) {
    const v = c.value('mode');
    // Vault takes an integer only; HCL1 reads 0640 as octal, JSON has no octal (416 is 0640).
    if (v?.kind !== 'literal' || typeof v.value !== 'number' || !Number.isInteger(v.value)) c.fail('mode', "error creating file sink: could not parse 'mode' as integer");
    if (v.value < 0 || v.value > 0o7777) c.fail('mode', 'error creating file sink: file mode does not represent a regular file');
    mode = v.value;
  }
  c.finish();
  body.finish();
  return {
    type: 'file', path: pathValue.value, mode, wrapTtlMs, deriveKey,
    dhType: dhType === '' ? undefined : 'curve25519', dhPath: dhPath || undefined, aad: aad || undefined,
  };
}

function useAutoAuthToken(body: Body): { set: boolean; use: boolean; force: boolean } {
  if (!body.has('use_auto_auth_token')) {
    body.value('use_auto_auth_token');
    return { set: false, use: false, force: false };
  }
  const v = body.value('use_auto_auth_token');
  const raw = v?.kind === 'literal' ? v.value : undefined;
  const b = (() => {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string') return raw === '' ? false : ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw) ? true : ['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw) ? false : undefined;
    if (typeof raw === 'number') return raw !== 0;
    return undefined;
  })();
  if (b !== undefined) return { set: true, use: b, force: false };
  if (typeof raw === 'string' && raw.toLowerCase() === 'force') return { set: true, use: true, force: true };
  return body.fail('use_auto_auth_token', `value of 'use_auto_auth_token' can be either true/false/force, ${JSON.stringify(String(raw))} is an invalid option`);
}

function parseApiProxy(body: Body): ApiProxy {
  const u = useAutoAuthToken(body);
  for (const k of ['enforce_consistency', 'when_inconsistent']) if (body.has(k)) body.fail(k, `'${k}' is not supported by lockbox agent`);
  body.finish();
  return { useAutoAuthToken: u.use, forceAutoAuthToken: u.force, useAutoAuthTokenSet: u.set };
}

function parseCache(body: Body): Cache {
  const u = useAutoAuthToken(body);
  for (const k of ['persist', 'enforce_consistency', 'when_inconsistent']) if (body.has(k)) body.fail(k, `'${k}' is not supported by lockbox agent`);
  body.finish();
  return { useAutoAuthTokenSet: u.set, useAutoAuthToken: u.use, forceAutoAuthToken: u.force };
}

function parseVault(body: Body): VaultConfig {
  const retry = body.optionalBlock('retry', 'one and only one "retry" block is required');
  let numRetries = retry?.int('num_retries') ?? 0;
  retry?.finish();
  if (numRetries === 0) numRetries = DEFAULT_NUM_RETRIES;
  else if (numRetries === -1) numRetries = 0;
  if (body.has('namespace')) body.fail('namespace', 'namespaces are not supported by lockbox');
  const v: VaultConfig = {
    address: body.string('address') || undefined,
    caCert: body.string('ca_cert') || undefined,
    caPath: body.string('ca_path') || undefined,
    clientCert: body.string('client_cert') || undefined,
    clientKey: body.string('client_key') || undefined,
    tlsSkipVerify: body.bool('tls_skip_verify') ?? false,
    tlsServerName: body.string('tls_server_name') || undefined,
    numRetries,
  };
  body.finish();
  return v;
}

function parseListener(label: string | undefined, body: Body): Listener {
  const type = typeOf(label, body, 'listener');
  if (type !== 'tcp' && type !== 'unix') body.fail('type', `invalid listener type "${type}"`);
  const address = body.string('address') ?? (type === 'tcp' ? '127.0.0.1:8200' : '');
  if (address === '') body.fail('address', 'a unix listener needs an address (the socket path)');
  const tlsDisable = body.bool('tls_disable') ?? false;
  const tlsCertFile = body.string('tls_cert_file') || undefined;
  const tlsKeyFile = body.string('tls_key_file') || undefined;
  if (type === 'tcp' && !tlsDisable && (!tlsCertFile || !tlsKeyFile)) {
    throw new ConfigError(`${describeWhere(body.at)}: listener "tcp": 'tls_cert_file' and 'tls_key_file' are required unless 'tls_disable' is true`);
  }
  if (type === 'unix' && !tlsDisable && (tlsCertFile || tlsKeyFile)) body.fail('tls_cert_file', 'TLS on a unix listener is not supported by lockbox agent');
  const requireRequestHeader = body.bool('require_request_header') ?? false;
  const api = body.optionalBlock('agent_api', 'only one "agent_api" block is allowed');
  const enableQuit = api?.bool('enable_quit') ?? false;
  api?.finish();
  let socketMode: number | undefined;
  if (type === 'unix' && body.has('socket_mode')) {
    const raw = body.string('socket_mode') ?? '';
    if (!/^[0-7]{1,4}$/.test(raw)) body.fail('socket_mode', `invalid socket_mode ${JSON.stringify(raw)}`);
    socketMode = parseInt(raw, 8);
  }
  const at = describeWhere(body.at);
  body.finish();
  return { type, address, tlsDisable, tlsCertFile, tlsKeyFile, requireRequestHeader, enableQuit, socketMode, at };
}

function parseTemplateConfig(body: Body): TemplateConfig {
  const threshold = body.value('lease_renewal_threshold');
  let leaseRenewalThreshold = DEFAULT_TEMPLATE_CONFIG.leaseRenewalThreshold;
  if (threshold !== undefined) {
    const n = threshold.kind === 'literal' ? Number(threshold.value) : Number.NaN;
    if (!(n > 0 && n <= 1)) body.fail('lease_renewal_threshold', "'lease_renewal_threshold' must be a number above 0 and at most 1");
    leaseRenewalThreshold = n;
  }
  const cfg: TemplateConfig = {
    staticSecretRenderIntervalMs: body.duration('static_secret_render_interval') || DEFAULT_TEMPLATE_CONFIG.staticSecretRenderIntervalMs,
    exitOnRetryFailure: body.bool('exit_on_retry_failure') ?? false,
    maxConnectionsPerHost: body.int('max_connections_per_host') ?? DEFAULT_TEMPLATE_CONFIG.maxConnectionsPerHost,
    leaseRenewalThreshold,
  };
  body.finish();
  return cfg;
}

/** consul-template's file mode: an integer (HCL1 reads 0644 as octal) or an octal string. */
function perms(body: Body): number | undefined {
  const v = body.value('perms');
  if (v === undefined) return undefined;
  const raw = v.kind === 'literal' ? v.value : undefined;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 0o7777) return raw;
  if (typeof raw === 'string' && /^[0-7]{1,4}$/.test(raw)) return parseInt(raw, 8);
  return body.fail('perms', `'perms' must be a file mode such as 0600 or "0600", got ${JSON.stringify(raw ?? 'a block')}`);
}

function commandOf(body: Body, name: string): Command | undefined {
  const v = body.value(name);
  if (v === undefined) return undefined;
  if (v.kind === 'literal' && typeof v.value === 'string') return v.value.trim() === '' ? undefined : { shell: v.value };
  const argv = body.strings(name) ?? [];
  return argv.length === 0 ? undefined : { argv };
}

const TEMPLATE_UNSUPPORTED = ['user', 'uid', 'group', 'gid', 'error_fatal', 'exec_env'];

function parseTemplate(body: Body): Template {
  for (const k of TEMPLATE_UNSUPPORTED) if (body.has(k)) body.fail(k, `'${k}' is not supported by lockbox agent`);
  const source = body.string('source') || undefined;
  const contents = body.string('contents');
  if (source !== undefined && contents !== undefined) throw new ConfigError(`${describeWhere(body.at)}: template: cannot specify both 'source' and 'contents'`);
  if (source === undefined && contents === undefined) throw new ConfigError(`${describeWhere(body.at)}: template: must specify exactly one of 'source' or 'contents'`);
  const destination = body.string('destination') ?? '';
  if (destination === '') throw new ConfigError(`${describeWhere(body.at)}: template: 'destination' is required`);
  const commands: Command[] = [];
  let commandTimeoutMs = body.duration('command_timeout') ?? 30_000;
  const legacy = commandOf(body, 'command');
  if (legacy) commands.push(legacy);
  const execBlocks = body.blocks('exec', false);
  const exec = execBlocks[execBlocks.length - 1]?.body; // consul-template keeps the last
  if (exec) {
    const c = commandOf(exec, 'command');
    if (c) commands.push(c);
    commandTimeoutMs = exec.duration('timeout') ?? commandTimeoutMs;
    exec.finish();
  }
  let waitMinMs = 0;
  let waitMaxMs = 0;
  const waitValue = body.has('wait') ? body.entries.filter((e) => e.name === 'wait').at(-1)?.value : undefined;
  if (waitValue?.kind === 'literal') {
    const [min, max] = String(waitValue.value).split(':');
    waitMinMs = parseWait(body, min);
    waitMaxMs = max === undefined ? waitMinMs * 4 : parseWait(body, max);
    body.value('wait');
  } else {
    const wait = body.blocks('wait', false).at(-1)?.body;
    if (wait) {
      waitMinMs = wait.duration('min') ?? 0;
      waitMaxMs = wait.duration('max') ?? waitMinMs * 4;
      wait.finish();
    }
  }
  if (waitMaxMs < waitMinMs) body.fail('wait', 'wait: max must be at least min');
  const t: Template = {
    source, contents, destination, commands, commandTimeoutMs, waitMinMs, waitMaxMs,
    createDestDirs: body.bool('create_dest_dirs') ?? true,
    perms: perms(body),
    backup: body.bool('backup') ?? false,
    errorOnMissingKey: body.bool('error_on_missing_key') ?? false,
    leftDelimiter: body.string('left_delimiter') || '{{',
    rightDelimiter: body.string('right_delimiter') || '}}',
    sandboxPath: body.string('sandbox_path') || undefined,
    functionDenylist: [...(body.strings('function_denylist', true) ?? []), ...(body.strings('function_blacklist', true) ?? [])],
  };
  body.finish();
  return t;
}

function parseWait(body: Body, text: string | undefined): number {
  const ms = parseDurationMs(text ?? '');
  if (ms === undefined) body.fail('wait', `wait: invalid duration ${JSON.stringify(text)}`);
  return ms;
}

const ENV_TEMPLATE_ALLOWED = ['contents', 'source', 'error_on_missing_key', 'left_delimiter', 'right_delimiter', 'function_denylist', 'function_blacklist'];

function parseEnvTemplate(label: string | undefined, body: Body): EnvTemplate {
  if (label === undefined) throw new ConfigError(`${describeWhere(body.at)}: expected one and only one environment variable name, got 0`);
  for (const e of body.entries) {
    if (!ENV_TEMPLATE_ALLOWED.includes(e.name)) throw new ConfigError(`${describeWhere(e.at)}: env_template[${label}]: '${e.name}' is not allowed`);
  }
  const source = body.string('source') || undefined;
  const contents = body.string('contents');
  if (source === undefined && contents === undefined) throw new ConfigError(`env_template[${label}]: either 'contents' or 'source' must be specified`);
  if (source !== undefined && contents !== undefined) throw new ConfigError(`env_template[${label}]: 'contents' and 'source' cannot be specified together`);
  const t: EnvTemplate = {
    name: label, source, contents,
    errorOnMissingKey: body.bool('error_on_missing_key') ?? false,
    leftDelimiter: body.string('left_delimiter') || '{{',
    rightDelimiter: body.string('right_delimiter') || '}}',
    functionDenylist: [...(body.strings('function_denylist', true) ?? []), ...(body.strings('function_blacklist', true) ?? [])],
  };
  body.finish();
  return t;
}

function parseExec(body: Body): Exec {
  const command = body.strings('command', true) ?? [];
  const restart = body.string('restart_on_secret_changes') ?? 'always';
  if (restart !== 'always' && restart !== 'never') body.fail('restart_on_secret_changes', `'exec.restart_on_secret_changes' unexpected value: ${JSON.stringify(restart)}`);
  const signal = (body.string('restart_stop_signal') ?? 'SIGTERM').toUpperCase();
  const name = signal.startsWith('SIG') ? signal : `SIG${signal}`;
  if (!(name in constants.signals)) body.fail('restart_stop_signal', `'exec.restart_stop_signal' unknown signal: ${JSON.stringify(signal)}`);
  const e: Exec = {
    command, restartOnSecretChanges: restart, restartStopSignal: name as NodeJS.Signals,
    childProcessStdout: body.string('child_process_stdout') || undefined,
    childProcessStderr: body.string('child_process_stderr') || undefined,
  };
  body.finish();
  return e;
}
