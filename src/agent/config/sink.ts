// An auto_auth sink block: where the token is written (a file), and its response-wrapping and
// Diffie-Hellman settings.
import { Body } from './body.js';
import { blockType } from './block-type.js';
import { ConfigError, describeWhere } from './tree.js';
import type { Sink } from './types.js';

export function parseSink(label: string | undefined, body: Body, env: NodeJS.ProcessEnv): Sink {
  const type = blockType(label, body, 'sink');
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
