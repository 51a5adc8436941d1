// `lockbox audit`: enable, disable and list audit devices over sys/audit.
import { asObject } from './json.js';
import { attempt, boolFlag, ensureTrailingSlash, expectArgs, parseData, sanitizePath, type Context, type Group, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, str } from './flags.js';
import { columns, goValue, out, printJson } from './output.js';

// Vault's CLI: `audit enable [-path=P] TYPE key=value…`; the key/values become the device options.
async function enable(ctx: Context): Promise<number> {
  const [type, ...rest] = ctx.args.positional;
  if (type === undefined) throw new UsageError('Not enough arguments (expected at least 1, got 0)');
  const options = Object.fromEntries(Object.entries(await parseData(rest)).map(([k, v]) => [k, String(v)]));
  const path = sanitizePath(ctx.args.flag('path') ?? type);
  const body = { type, description: ctx.args.flag('description') ?? '', options, local: boolFlag(ctx.args, 'local') ?? false };
  await attempt('enabling audit device', ctx.client().write(`sys/audit/${path}`, body, 'PUT'));
  out(`Success! Enabled the ${type} audit device at: ${ensureTrailingSlash(path)}\n`);
  return 0;
}

async function disable(ctx: Context): Promise<number> {
  const [path] = expectArgs(ctx.args, 1);
  const clean = sanitizePath(path as string);
  await attempt('disabling audit device', ctx.client().delete(`sys/audit/${clean}`));
  out(`Success! Disabled audit device (if it was enabled) at: ${ensureTrailingSlash(clean)}\n`);
  return 0;
}

async function list(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const res = await attempt('listing audit devices', ctx.client().read('sys/audit'));
  const devices = asObject(res?.data) ?? {};
  if (ctx.format === 'json') {
    printJson(devices);
    return 0;
  }
  if (Object.keys(devices).length === 0) {
    out('No audit devices are enabled.\n');
    return 2;
  }
  const detailed = ctx.args.on('detailed');
  const header = detailed ? ['Path', 'Type', 'Description', 'Replication', 'Options'] : ['Path', 'Type', 'Description'];
  const rows = [header, header.map((h) => '-'.repeat(h.length))];
  for (const [path, raw] of Object.entries(devices).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const d = asObject(raw) ?? {};
    const row = [path, String(d.type ?? ''), goValue(d.description ?? '')];
    // Vault joins the options as `k=v` separated by spaces.
    const options = Object.entries(asObject(d.options) ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${String(v)}`);
    if (detailed) row.push(d.local ? 'local' : 'replicated', options.join(' '));
    rows.push(row);
  }
  out(`${columns(rows)}\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  enable: {
    synopsis: '[options] TYPE [CONFIG K=V...]', summary: 'Enables an audit device', run: enable,
    description: 'Enables an audit device of the given type (file, socket, syslog); the key=value arguments are its '
      + 'options. Once a device is enabled, a request that cannot be logged is refused.',
    examples: ['audit enable file file_path=/var/log/lockbox-audit.log', 'audit enable -path=net socket address=127.0.0.1:9090'],
    flags: apiFlags([
      str('path', 'Where to enable the device, without the trailing slash. The default is the type\'s name.'),
      str('description', 'A human-friendly description of the device.'),
      bool('local', 'Mark the device local-only: never replicated.'),
    ], 'none'),
  },
  disable: {
    synopsis: '[options] PATH', summary: 'Disables an audit device', run: disable,
    description: 'Disables the audit device at PATH. Its log stays where it was written.',
    examples: ['audit disable file/'],
    flags: apiFlags([], 'none'),
  },
  list: {
    synopsis: '[options]', summary: 'Lists enabled audit devices', run: list,
    description: 'Lists the enabled audit devices.',
    examples: ['audit list -detailed'],
    flags: apiFlags([bool('detailed', 'Show the replication setting and options of each device.')]),
  },
};

/** The `audit` command group. */
export const auditCommand: Group = {
  summary: 'Interact with audit devices',
  description: 'Enables, disables and lists audit devices, which log every request and response with secrets HMAC-ed.',
  subcommands: SUBCOMMANDS,
};
