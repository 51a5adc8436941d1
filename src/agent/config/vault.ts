// The vault block: the server address, TLS settings and retries.
import type { Body } from './body.js';
import { DEFAULT_NUM_RETRIES, type VaultConfig } from './types.js';

export function parseVault(body: Body): VaultConfig {
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
