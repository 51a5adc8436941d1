// A listener block: a TCP or unix socket the agent serves on, its TLS and agent API settings.
import type { Body } from './body.js';
import { blockType } from './block-type.js';
import { ConfigError, describeWhere } from './tree.js';
import type { Listener } from './types.js';

export function parseListener(label: string | undefined, body: Body): Listener {
  const type = blockType(label, body, 'listener');
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
