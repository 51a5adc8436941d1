// One configuration file → AgentConfig: the top-level keys here, each stanza by its own module
// (auto-auth.ts, cache.ts, template.ts…), with Vault Agent's messages. Each reader asks its
// Body for the keys it knows and then calls finish(), which refuses the rest.
import { parseAutoAuth } from './auto-auth.js';
import { Body } from './body.js';
import { parseApiProxy, parseCache } from './cache.js';
import { parseEnvTemplate } from './env-template.js';
import { parseExec } from './exec.js';
import { parseListener } from './listener.js';
import { parseTemplate } from './template.js';
import { parseTemplateConfig } from './template-config.js';
import { ConfigError, type Document } from './tree.js';
import type { AgentConfig } from './types.js';
import { parseVault } from './vault.js';

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
