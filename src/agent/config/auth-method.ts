// The auto_auth method block and its config block, with Vault Agent's per-method checks.
import { Body } from './body.js';
import { blockType } from './block-type.js';
import { ConfigError } from './tree.js';
import type { Method, MethodConfig } from './types.js';

const METHOD_TYPES = ['approle', 'jwt', 'kubernetes', 'token_file'] as const;
const DEFAULT_K8S_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function parseMethod(label: string | undefined, body: Body): Method {
  const type = blockType(label, body, 'method');
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
