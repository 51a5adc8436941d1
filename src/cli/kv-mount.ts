// How the kv commands find their mount: like Vault's CLI they ask sys/internal/ui/mounts/<path>
// which mount serves the path and whether it is kv version 2, whose API lives under data/,
// metadata/, delete/... below the mount. A server that does not answer (404, 403) means v1.
import { asObject, type Json } from './json.js';
import { printResponse } from './generic.js';
import { attempt, ensureTrailingSlash, flagList, sanitizePath, type Context } from './command.js';
import { NotPossible, UsageError } from './errors.js';
import { dataPairs, headerFor, kvTable, out, padEqualSigns, printField, printSecret, printWarnings } from './output.js';

/** A kv path split into its mount and the key below it. */
export type KvTarget = {
  version: 1 | 2;
  /** `secret/`; '' when the server would not say (then `key` is the whole path). */
  mount: string;
  key: string;
};

/** Resolves PATH (or -mount plus PATH) to its mount and kv version. */
export async function resolveKv(ctx: Context, pathArg: string): Promise<KvTarget> {
  const mountFlag = ctx.args.flag('mount');
  const path = sanitizePath(pathArg);
  const probe = mountFlag !== undefined ? sanitizePath(mountFlag) : path;
  const r = await attempt('checking the kv mount', ctx.client().request('GET', `sys/internal/ui/mounts/${probe}`, { accept: [400, 403, 404], wrap: false }));
  const data = r.status === 200 ? asObject(r.body?.data) : undefined;
  if (!data) {
    // No answer: assume v1 and use the path as written (or below -mount).
    return { version: 1, mount: mountFlag !== undefined ? ensureTrailingSlash(mountFlag) : '', key: path };
  }
  const version = String(asObject(data.options)?.version ?? '1') === '2' ? 2 : 1;
  const mount = ensureTrailingSlash(String(data.path ?? probe));
  if (mountFlag !== undefined) return { version, mount, key: path };
  return { version, mount, key: `${path}/`.startsWith(mount) ? path.slice(mount.length) : path };
}

/** The API path of a v2 operation (`data`, `metadata`, `delete`…) or of a v1 key. */
export function kvPath(t: KvTarget, segment: 'data' | 'metadata' | 'delete' | 'undelete' | 'destroy' | 'subkeys'): string {
  if (t.version === 1) return `${t.mount}${t.key}`;
  return `${t.mount}${segment}${t.key === '' ? '' : `/${t.key}`}`;
}

/** Refuses a v2-only command on a v1 mount (exit 2, as Vault does: the mount cannot do it). */
export function requireV2(t: KvTarget, command: string): void {
  if (t.version !== 2) throw new NotPossible(`K/V engine mount must be version 2 for ${command} support`);
}

/** The `-versions` flag as integers (repeatable, comma-separated). */
export function versionsFlag(ctx: Context, required: boolean): number[] | undefined {
  const raw = flagList(ctx.args, 'versions');
  if (raw.length === 0) {
    if (required) throw new UsageError('No versions provided, use the "-versions" flag to specify the version(s)');
    return undefined;
  }
  return raw.map((v) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`invalid version "${v}" in -versions`);
    return Number(v);
  });
}

/** `== Title ==` over the API path, as Vault's kv commands print it. */
export function printPathHeader(title: string, path: string): void {
  out(`${padEqualSigns(title, path.length)}\n${path}\n\n`);
}

/** A titled Key/Value section. */
export function printSection(title: string, data: Json): void {
  out(`${headerFor(title, data)}\n${kvTable(dataPairs(data))}\n`);
}

/**
 * Prints a v2 write answer (put, patch, rollback): the version metadata under the path;
 * `-field` picks from that metadata.
 */
export function printKvWrite(ctx: Context, t: KvTarget, apiPath: string, secret: Json | undefined): number {
  if (!secret) {
    out(`Success! Data written to: ${apiPath}\n`);
    return 0;
  }
  // Wrapped, one field, JSON, or a v1 answer: nothing kv-specific to lay out.
  if (secret.wrap_info || ctx.args.flag('field') !== undefined || ctx.format === 'json' || t.version === 1) {
    return printResponse(ctx, secret);
  }
  printWarnings(secret);
  printPathHeader('Secret Path', apiPath);
  printSection('Metadata', asObject(secret.data) ?? {});
  return 0;
}

/** Prints a kv read: v2 shows path, metadata and data sections; `-field` picks from the data. */
export function printKvRead(ctx: Context, t: KvTarget, apiPath: string, secret: Json): number {
  if (secret.wrap_info) return printResponse(ctx, secret);
  const outer = asObject(secret.data) ?? {};
  const data = t.version === 2 ? asObject(outer.data) : outer;
  const field = ctx.args.flag('field');
  if (field !== undefined) return printField(ctx.format, data?.[field], field);
  if (ctx.format === 'json') {
    printSecret('json', secret);
    return 0;
  }
  printWarnings(secret);
  if (t.version === 2) {
    printPathHeader('Secret Path', apiPath);
    const metadata = asObject(outer.metadata);
    if (metadata) printSection('Metadata', metadata);
    if (metadata && data) out('\n');
  }
  if (data) printSection('Data', data);
  return 0;
}
