// Loading as Vault Agent does: each -config path is a file or a directory whose *.hcl and
// *.json files (editor backups skipped) are merged in name order; the merged whole is then
// validated with Vault's cross-stanza rules and messages.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from './parse.js';
import { ConfigError, parseDocument } from './tree.js';
import type { AgentConfig } from './types.js';

export { ConfigError } from './tree.js';

/** The empty configuration every merge starts from. */
export const emptyConfig = (): AgentConfig => ({
  exitAfterAuth: false, pidFile: '', listeners: [], templates: [], envTemplates: [],
});

/** Reads every path (file or directory), merges them in order and validates the result. */
export function loadConfig(paths: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentConfig {
  if (paths.length === 0) throw new ConfigError('Must specify at least one config path using -config');
  let merged = emptyConfig();
  for (const path of paths) {
    try {
      merged = mergeConfig(merged, loadPath(path, env));
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`Error loading configuration from ${path}: ${err.message}`);
      throw err;
    }
  }
  validateConfig(merged);
  return merged;
}

function loadPath(path: string, env: NodeJS.ProcessEnv): AgentConfig {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new ConfigError(`stat ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (!isDir) return loadFile(path, env);
  let result = emptyConfig();
  const names = readdirSync(path, { withFileTypes: true })
    .filter((d) => !d.isDirectory() && (d.name.endsWith('.hcl') || d.name.endsWith('.json')) && !isTemporaryFile(d.name))
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    const file = join(path, name);
    try {
      result = mergeConfig(result, loadFile(file, env));
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`error loading "${file}": ${err.message}`);
      throw err;
    }
  }
  return result;
}

/** Vim's `name~` and Emacs' `.#name` / `#name#` are editor files, never configuration. */
export const isTemporaryFile = (name: string): boolean =>
  name.endsWith('~') || name.startsWith('.#') || (name.startsWith('#') && name.endsWith('#'));

export function loadFile(file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return parseConfig(parseDocument(text, file), env);
}

/** Vault's Config.Merge: single stanzas from the later file win; lists add up. */
export function mergeConfig(a: AgentConfig, b: AgentConfig): AgentConfig {
  return {
    autoAuth: b.autoAuth ?? a.autoAuth,
    cache: b.cache ?? a.cache,
    apiProxy: b.apiProxy ?? a.apiProxy,
    vault: b.vault ?? a.vault,
    templateConfig: b.templateConfig ?? a.templateConfig,
    exec: b.exec ?? a.exec,
    exitAfterAuth: a.exitAfterAuth || b.exitAfterAuth,
    pidFile: b.pidFile || a.pidFile,
    logLevel: b.logLevel ?? a.logLevel,
    listeners: [...a.listeners, ...b.listeners],
    templates: [...a.templates, ...b.templates],
    envTemplates: [...a.envTemplates, ...b.envTemplates],
  };
}

/** Vault's ValidateConfig, after merging, with its messages. */
export function validateConfig(c: AgentConfig): void {
  const fail = (msg: string): never => {
    throw new ConfigError(`error validating configuration: ${msg}`);
  };
  if (c.apiProxy && c.cache?.useAutoAuthTokenSet) {
    if (c.apiProxy.useAutoAuthTokenSet) fail('use_auto_auth_token defined in both api_proxy and cache config. Please remove this configuration from the cache block');
    c.apiProxy.forceAutoAuthToken = c.cache.forceAutoAuthToken;
  }
  const wraps = (c.autoAuth?.method.wrapTtlMs ?? 0) > 0;
  if (c.cache) {
    if (c.listeners.length < 1 && c.templates.length < 1 && c.envTemplates.length < 1) fail('enabling the cache requires at least 1 template or 1 listener to be defined');
    if (c.cache.useAutoAuthToken) {
      if (!c.autoAuth) fail('cache.use_auto_auth_token is true but auto_auth not configured');
      if (wraps) fail('cache.use_auto_auth_token is true and auto_auth uses wrapping');
    }
  }
  if (c.apiProxy) {
    if (c.listeners.length < 1) fail('configuring the api_proxy requires at least 1 listener to be defined');
    if (c.apiProxy.useAutoAuthToken) {
      if (!c.autoAuth) fail('api_proxy.use_auto_auth_token is true but auto_auth not configured');
      if (wraps) fail('api_proxy.use_auto_auth_token is true and auto_auth uses wrapping');
    }
  }
  if (c.autoAuth && c.autoAuth.sinks.length === 0 && !c.apiProxy?.useAutoAuthToken && c.templates.length === 0 && c.envTemplates.length === 0) {
    fail('auto_auth requires at least one sink or at least one template or api_proxy.use_auto_auth_token=true');
  }
  if (!c.autoAuth && !c.cache && c.listeners.length === 0) fail('no auto_auth, cache, or listener block found in config');
  if (c.exec || c.envTemplates.length > 0) {
    if (!c.exec) fail("a top-level 'exec' element must be specified with 'env_template' entries");
    if (c.envTemplates.length === 0) fail("must specify at least one 'env_template' element with a top-level 'exec' element");
    if (c.apiProxy) fail("'api_proxy' cannot be specified with 'env_template' entries");
    if (c.templates.length > 0) fail("'template' cannot be specified with 'env_template' entries");
    if (c.exec?.command.length === 0) fail("'exec' requires a non-empty 'command' field");
    const seen = new Set<string>();
    for (const t of c.envTemplates) {
      if (seen.has(t.name)) fail(`env_template: duplicate environment variable name: ${JSON.stringify(t.name)}`);
      seen.add(t.name);
    }
  }
}
