// The auto_auth block: one method, its sinks, and the rules that tie their wrapping together.
import { parseMethod } from './auth-method.js';
import type { Body } from './body.js';
import { parseSink } from './sink.js';
import { ConfigError } from './tree.js';
import type { AutoAuth, Method, Sink } from './types.js';

export function parseAutoAuth(body: Body, env: NodeJS.ProcessEnv): AutoAuth {
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
