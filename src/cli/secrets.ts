// `lockbox secrets`: enable, disable, list, tune and move secrets engines over sys/mounts and
// sys/remount. The mount-table helpers here serve `lockbox auth` too.
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, ensureTrailingSlash, expectArgs, flagList, flagMap, intFlag, type Context, type Group, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, dur, int, listFlag, mapFlag, str } from './flags.js';
import { columns, goValue, humanDuration, out, printJson } from './output.js';

/** A body with only the values the user gave. */
function given(entries: Json): Json {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** Tune settings shared by enable (under `config`) and tune (top level). */
export function tuneSettings(ctx: Context): Json {
  const a = ctx.args;
  const list = (name: string) => (a.all(name).length > 0 ? flagList(a, name) : undefined);
  return given({
    default_lease_ttl: a.flag('default-lease-ttl'),
    max_lease_ttl: a.flag('max-lease-ttl'),
    audit_non_hmac_request_keys: list('audit-non-hmac-request-keys'),
    audit_non_hmac_response_keys: list('audit-non-hmac-response-keys'),
    listing_visibility: a.flag('listing-visibility'),
    passthrough_request_headers: list('passthrough-request-headers'),
    allowed_response_headers: list('allowed-response-headers'),
    token_type: a.flag('token-type'),
  });
}

/** `-options k=v` plus `-version=N`, which Vault folds into options.version. */
export function mountOptions(ctx: Context): Record<string, string> | undefined {
  const options = flagMap(ctx.args, 'options');
  const version = intFlag(ctx.args, 'version');
  return version === undefined ? options : { ...options, version: String(version) };
}

/** The body of sys/mounts/<path> or sys/auth/<path> for an enable. */
export function enableBody(ctx: Context, type: string): Json {
  const config = { ...tuneSettings(ctx), ...given({ force_no_cache: boolFlag(ctx.args, 'force-no-cache') }) };
  let options = mountOptions(ctx);
  let mountType = type;
  // Vault's shorthand: kv-v2 is kv with version 2 (it still mounts at kv-v2/ by default).
  if (type === 'kv-v2') {
    mountType = 'kv';
    options = { ...options, version: '2' };
  }
  return given({
    type: mountType,
    description: ctx.args.flag('description'),
    config: Object.keys(config).length > 0 ? config : undefined,
    options,
    local: boolFlag(ctx.args, 'local'),
    seal_wrap: boolFlag(ctx.args, 'seal-wrap'),
    external_entropy_access: boolFlag(ctx.args, 'external-entropy-access'),
    plugin_version: ctx.args.flag('plugin-version'),
  });
}

/** The body of a tune request. */
export function tuneBody(ctx: Context): Json {
  const body = { ...tuneSettings(ctx), ...given({ description: ctx.args.flag('description'), options: mountOptions(ctx) }) };
  if (Object.keys(body).length === 0) throw new UsageError('nothing to tune: give at least one setting flag');
  return body;
}

/** Mount entries from a sys/mounts or sys/auth answer (Vault puts them at top level and under data). */
export function mountEntries(body: Json | undefined): Array<[string, Json]> {
  const source = asObject(body?.data) ?? body ?? {};
  return Object.entries(source)
    .flatMap(([path, v]): Array<[string, Json]> => {
      const entry = asObject(v);
      return entry && typeof entry.type === 'string' ? [[path, entry]] : [];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const ttlCell = (v: unknown) => (Number(v ?? 0) === 0 ? 'system' : humanDuration(Number(v)));

/** Prints a mount table: Vault's short columns, or every setting with -detailed. */
export function printMounts(ctx: Context, body: Json | undefined, auth: boolean): void {
  const entries = mountEntries(body);
  if (ctx.format === 'json') return printJson(Object.fromEntries(entries));
  if (!ctx.args.on('detailed')) {
    const rows = entries.map(([path, e]) => [path, String(e.type), String(e.accessor ?? ''), String(e.description ?? '')]);
    out(`${columns([['Path', 'Type', 'Accessor', 'Description'], ['----', '----', '--------', '-----------'], ...rows])}\n`);
    return;
  }
  const header = ['Path', 'Plugin', 'Accessor', 'Default TTL', 'Max TTL', ...(auth ? ['Token Type'] : ['Force No Cache']),
    'Replication', 'Seal Wrap', 'External Entropy Access', 'Options', 'Description', 'UUID'];
  const rows = entries.map(([path, e]) => {
    const config = asObject(e.config) ?? {};
    return [
      path, String(e.plugin_name || e.type), String(e.accessor ?? ''), ttlCell(config.default_lease_ttl), ttlCell(config.max_lease_ttl),
      auth ? String(config.token_type ?? 'default-service') : String(config.force_no_cache ?? false),
      e.local ? 'local' : 'replicated', String(e.seal_wrap ?? false), String(e.external_entropy_access ?? false),
      goValue(e.options ?? {}), String(e.description ?? ''), String(e.uuid ?? ''),
    ];
  });
  out(`${columns([header, header.map((h) => '-'.repeat(h.length)), ...rows])}\n`);
}

async function enable(ctx: Context): Promise<number> {
  const [type = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(ctx.args.flag('path') ?? type);
  await attempt('enabling', ctx.client().write(`sys/mounts/${path}`, enableBody(ctx, type), 'POST'));
  out(`Success! Enabled the ${type} secrets engine at: ${path}\n`);
  return 0;
}

async function disable(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(raw);
  await attempt(`disabling secrets engine at ${path}`, ctx.client().delete(`sys/mounts/${path}`));
  out(`Success! Disabled the secrets engine (if it existed) at: ${path}\n`);
  return 0;
}

async function list(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  printMounts(ctx, await attempt('listing secrets engines', ctx.client().read('sys/mounts')), false);
  return 0;
}

async function tune(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(raw);
  await attempt(`tuning secrets engine ${path}`, ctx.client().write(`sys/mounts/${path}tune`, tuneBody(ctx), 'POST'));
  out(`Success! Tuned the secrets engine at: ${path}\n`);
  return 0;
}

/** Moves a mount (secrets or auth) and waits for the server to report the move finished. */
export async function moveMount(ctx: Context, from: string, to: string, what: string): Promise<number> {
  const client = ctx.client();
  const started = await attempt(`moving ${what} ${from} to ${to}`, client.write('sys/remount', { from, to }, 'POST'));
  const id = asObject(started?.data)?.migration_id;
  if (typeof id === 'string' && id !== '') {
    out(`Started moving ${what} ${from} to ${to}, with migration ID ${id}\n`);
    for (;;) {
      // A server that moves synchronously may not keep a status to ask for: then it is done.
      const r = await attempt('checking the move', client.request('GET', `sys/remount/status/${id}`, { accept: [404, 405] }));
      const status = asObject(asObject(r.body?.data)?.migration_info)?.status;
      if (r.status !== 200 || status === 'success' || status === undefined) break;
      if (status === 'failure') {
        out(`Moving ${what} ${from} to ${to} failed; see the server log for migration ID ${id}\n`);
        return 2;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  out(`Success! Finished moving ${what} ${from} to ${to}\n`);
  return 0;
}

async function move(ctx: Context): Promise<number> {
  const [from = '', to = ''] = expectArgs(ctx.args, 2);
  return moveMount(ctx, ensureTrailingSlash(from), ensureTrailingSlash(to), 'secrets engine');
}

const TUNE_FLAGS = [
  str('description', 'A human-friendly description of the mount.'),
  dur('default-lease-ttl', 'The default lease TTL for this mount; unset means the system default.'),
  dur('max-lease-ttl', 'The maximum lease TTL for this mount; unset means the system maximum.'),
  listFlag('audit-non-hmac-request-keys', 'A request key the audit devices log in clear text instead of HMAC-ed.'),
  listFlag('audit-non-hmac-response-keys', 'A response key the audit devices log in clear text instead of HMAC-ed.'),
  str('listing-visibility', 'Whether to show the mount in the UI\'s listing: "unauth" or "hidden".', { completion: ['unauth', 'hidden'] }),
  listFlag('passthrough-request-headers', 'A request header passed through to the backend.'),
  listFlag('allowed-response-headers', 'A response header the backend may set.'),
  mapFlag('options', 'A mount option, as key=value (e.g. version=2 for kv).'),
  int('version', 'Shorthand for -options=version=N (kv).'),
  str('token-type', 'The token type the mount issues (auth methods): "service", "batch", "default-service" or "default-batch".',
    { completion: ['service', 'batch', 'default-service', 'default-batch'] }),
];

/** Flags of `secrets enable` and `auth enable`: the tune settings plus where and how to mount. */
export const ENABLE_FLAGS = [
  ...TUNE_FLAGS,
  str('path', 'Where to mount, without the trailing slash. The default is the type\'s name.'),
  bool('local', 'Mark the mount local-only: never replicated.'),
  bool('seal-wrap', 'Seal-wrap the mount\'s critical values.'),
  bool('external-entropy-access', 'Let the mount use the seal\'s entropy source.'),
  bool('force-no-cache', 'Do not cache the mount\'s data in memory.'),
  str('plugin-version', 'The version of the plugin to run.'),
];

/** Flags of `secrets tune` and `auth tune`. */
export const TUNE_ONLY_FLAGS = TUNE_FLAGS;

const DETAILED = bool('detailed', 'Show every property of each mount, not only path, type and description.');

const subcommands: Record<string, Subcommand> = {
  enable: {
    synopsis: '[options] TYPE', summary: 'Enable a secrets engine', run: enable,
    description: 'Mounts a secrets engine of the given type. Its path is the type\'s name unless -path says another.',
    examples: ['secrets enable -path=secret -version=2 kv', 'secrets enable -description="team secrets" -path=team kv'],
    flags: apiFlags(ENABLE_FLAGS, 'none'),
  },
  disable: {
    synopsis: '[options] PATH', summary: 'Disable a secrets engine', run: disable,
    description: 'Unmounts the secrets engine at PATH. Its data is deleted and its leases revoked.',
    examples: ['secrets disable team/'],
    flags: apiFlags([], 'none'),
  },
  list: {
    synopsis: '[options]', summary: 'List enabled secrets engines', run: list,
    description: 'Lists the mounted secrets engines.',
    examples: ['secrets list -detailed'],
    flags: apiFlags([DETAILED]),
  },
  tune: {
    synopsis: '[options] PATH', summary: 'Tune a secrets engine configuration', run: tune,
    description: 'Changes the settings of the secrets engine at PATH; settings not given keep their values.',
    examples: ['secrets tune -max-lease-ttl=24h team/'],
    flags: apiFlags(TUNE_ONLY_FLAGS, 'none'),
  },
  move: {
    synopsis: '[options] SOURCE DESTINATION', summary: 'Move a secrets engine to a new path', run: move,
    description: 'Moves the secrets engine at SOURCE to DESTINATION with its data; leases under the old path are revoked.',
    examples: ['secrets move team/ platform/'],
    flags: apiFlags([], 'none'),
  },
};

/** `lockbox secrets <subcommand>`. */
export const secretsCommand: Group = {
  summary: 'Interact with secrets engines',
  description: 'Enables, disables, lists, tunes and moves secrets engines.',
  subcommands,
};
