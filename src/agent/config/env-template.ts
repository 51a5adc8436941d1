// An env_template block (exec mode): a template whose output becomes one environment variable.
import type { Body } from './body.js';
import { ConfigError, describeWhere } from './tree.js';
import type { EnvTemplate } from './types.js';

const ENV_TEMPLATE_ALLOWED = ['contents', 'source', 'error_on_missing_key', 'left_delimiter', 'right_delimiter', 'function_denylist', 'function_blacklist'];

export function parseEnvTemplate(label: string | undefined, body: Body): EnvTemplate {
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
