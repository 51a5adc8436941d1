// A template block, as consul-template reads it: source or contents, destination, commands, wait.
import { type Body, parseDurationMs } from './body.js';
import { ConfigError, describeWhere } from './tree.js';
import type { Command, Template } from './types.js';

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

export function parseTemplate(body: Body): Template {
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
