// `lockbox secrets`: enable, disable, list, tune and move secrets engines over sys/mounts and
// sys/remount. The mount-table helpers here serve `lockbox auth` too.
import { asObject, type Json } from './json.js';
import { attempt, boolFlag, dispatch, ensureTrailingSlash, expectArgs, flagList, flagMap, intFlag, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
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
  if (!ctx.args.flags.has('detailed')) {
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

const FLAGS = '[-path=P] [-description=S] [-default-lease-ttl=D] [-max-lease-ttl=D] [-options=K=V]... [-version=N] [-local] [-seal-wrap]';

const subcommands: Record<string, Subcommand> = {
  enable: { synopsis: `${FLAGS} TYPE`, summary: 'Enable a secrets engine', run: enable },
  disable: { synopsis: 'PATH', summary: 'Disable a secrets engine (its data is deleted)', run: disable },
  list: { synopsis: '[-detailed]', summary: 'List enabled secrets engines', run: list },
  tune: { synopsis: '[-description=S] [-default-lease-ttl=D] [-max-lease-ttl=D] [-options=K=V]... PATH', summary: 'Change a secrets engine\'s settings', run: tune },
  move: { synopsis: 'SOURCE DESTINATION', summary: 'Move a secrets engine to a new path', run: move },
};

/** `lockbox secrets <subcommand>`. */
export function secretsCommand(ctx: Context): Promise<number> {
  return dispatch('secrets', ctx, subcommands);
}
