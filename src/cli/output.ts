// Output in Vault's shapes: `-format=table` (Key/Value columns, Go's %v rendering of values,
// durations humanised, empty cells as n/a), `-format=json` (two-space indented JSON) or
// `-format=yaml` (the same data as YAML). `raw` (the response body as the server sent it) is
// for `read` alone and `pretty` for no command we have, as in Vault.
import { stringify } from 'yaml';
import type { ParsedArgs } from './args.js';
import { asObject, type Json } from './json.js';
import { UsageError } from './errors.js';

/** Every name `-format` takes, as Vault's CLI lists them (`yml` is yaml). */
export const FORMAT_NAMES = ['table', 'json', 'yaml', 'yml', 'pretty', 'raw'] as const;

/**
 * How a command lays its answer out: a table, structured data, or (read only) the raw body.
 * Structured data is written as JSON or YAML by printJson, whichever -format asked for, so
 * commands branch on `'json'` alone.
 */
export type Format = 'table' | 'json' | 'raw';

/** The encoding printJson uses; set by formatOf once per command line. */
let structured: 'json' | 'yaml' = 'json';

/**
 * The format from `-format`, then LOCKBOX_FORMAT / VAULT_FORMAT, default table. `raw` is refused
 * unless the command takes it, `pretty` always (it is only for Vault's autopilot state): Vault
 * runs the request first and then fails to print it, which for a write is worse than refusing.
 */
export function formatOf(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env, rawOk = false, declared = true): Format {
  let f = (args.flag('format') || env.LOCKBOX_FORMAT || env.VAULT_FORMAT || 'table').toLowerCase();
  if (!(FORMAT_NAMES as readonly string[]).includes(f)) throw new UsageError(`Invalid output format: ${f}`);
  // A command without -format (version, delete…) prints its one line whatever VAULT_FORMAT says.
  if (!declared && (f === 'pretty' || f === 'raw')) f = 'table';
  if (f === 'pretty') throw new UsageError('Could not parse output: cannot use the pretty formatter for this type');
  if (f === 'raw' && !rawOk) {
    throw new UsageError('Could not parse output: This command does not support the -format=raw option; only `lockbox read` does.');
  }
  structured = f === 'yaml' || f === 'yml' ? 'yaml' : 'json';
  return f === 'table' || f === 'raw' ? f : 'json';
}

/** YAML as Go's ghodss/yaml writes it: keys sorted, lists not indented under their key, no folding. */
export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).trim();
}

/** Writes to stdout. */
export const out = (text: string): void => void process.stdout.write(text);

/** Writes to stderr. */
export const err = (text: string): void => void process.stderr.write(text);

/** Structured data as Vault prints it: two-space indented JSON, or YAML with -format=yaml. */
export function printJson(value: unknown): void {
  out(`${structured === 'yaml' ? toYaml(value) : JSON.stringify(value, null, 2)}\n`);
}

/** Go's %v of decoded JSON: lists as [a b], maps as map[k:v] with sorted keys, null as <nil>. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const o = asObject(v);
  if (o) return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's %q of a string list, which Vault uses for policy lists: ["a" "b"]. */
export function quotedList(v: unknown): string {
  return `[${(Array.isArray(v) ? v : []).map((s) => JSON.stringify(String(s))).join(' ')}]`;
}

/** Seconds as Go prints a duration, trimmed as Vault does: 2764800 → 768h, 90 → 1m30s. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s = Math.round((s - m * 60) * 1e6) / 1e6;
  if (h > 0) return `${sign}${h}h${m > 0 || s > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`.replace(/h0m(?=\d)/, 'h');
  if (m > 0) return `${sign}${m}m${s > 0 ? `${s}s` : ''}`;
  return `${sign}${s}s`;
}

/** Vault shows these keys as durations: ttl, period, and anything ending in _ttl or _period. */
const looksLikeDuration = (k: string) => k === 'ttl' || k === 'period' || k.endsWith('_ttl') || k.endsWith('_period');

function durationValue(v: unknown): unknown {
  if (typeof v === 'number') return humanDuration(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return humanDuration(Number(v));
  return v;
}

/** Columns separated by four spaces, the last unpadded, empty cells as n/a (Vault's columnize). */
export function columns(rows: string[][]): string {
  const cells = rows.map((r) => r.map((c) => (c.trim() === '' ? 'n/a' : c.trim())));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('    ').trimEnd())
    .join('\n');
}

/** A Key/Value table. */
export function kvTable(pairs: Array<[string, string]>): string {
  return columns([['Key', 'Value'], ['---', '-----'], ...pairs.map(([k, v]) => [k, v])]);
}

/** Data as sorted rows, durations humanised. */
export function dataPairs(data: Json): Array<[string, string]> {
  return Object.keys(data).sort().map((k) => [k, goValue(looksLikeDuration(k) ? durationValue(data[k]) : data[k])]);
}

/** The rows Vault shows for a secret: lease, then auth, then data. */
export function secretPairs(secret: Json): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const leaseDuration = Number(secret.lease_duration ?? 0);
  if (leaseDuration > 0) {
    if (secret.lease_id) {
      rows.push(['lease_id', String(secret.lease_id)], ['lease_duration', humanDuration(leaseDuration)],
        ['lease_renewable', String(secret.renewable ?? false)]);
    } else rows.push(['refresh_interval', humanDuration(leaseDuration)]);
  }
  const auth = asObject(secret.auth);
  if (auth) rows.push(...authPairs(auth));
  const wrap = asObject(secret.wrap_info);
  if (wrap) rows.push(...wrapPairs(wrap));
  const data = asObject(secret.data);
  if (data) rows.push(...dataPairs(data));
  return rows;
}

/** An auth block's rows; a token without expiry shows an infinite duration. */
export function authPairs(auth: Json): Array<[string, string]> {
  const duration = Number(auth.lease_duration ?? 0);
  const rows: Array<[string, string]> = [
    ['token', String(auth.client_token ?? '')],
    ['token_accessor', String(auth.accessor ?? '')],
    ['token_duration', duration === 0 ? '∞' : humanDuration(duration)],
    ['token_renewable', String(auth.renewable ?? false)],
    ['token_policies', quotedList(auth.token_policies ?? auth.policies)],
    ['identity_policies', quotedList(auth.identity_policies)],
    ['policies', quotedList(auth.policies)],
  ];
  const meta = asObject(auth.metadata);
  for (const k of Object.keys(meta ?? {}).sort()) rows.push([`token_meta_${k}`, goValue(meta?.[k])]);
  return rows;
}

/** A wrapped response's rows: the wrapping token stands in for the data. */
export function wrapPairs(wrap: Json): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['wrapping_token:', String(wrap.token ?? '')],
    ['wrapping_accessor:', String(wrap.accessor ?? '')],
    ['wrapping_token_ttl:', humanDuration(Number(wrap.ttl ?? 0))],
    ['wrapping_token_creation_time:', String(wrap.creation_time ?? '')],
    ['wrapping_token_creation_path:', String(wrap.creation_path ?? '')],
  ];
  if (wrap.wrapped_accessor) rows.push(['wrapped_accessor:', String(wrap.wrapped_accessor)]);
  return rows;
}

/** The secret as Vault's client serialises it: fixed key order, no null auth or wrap_info. */
export function secretJson(secret: Json): Json {
  const { request_id, lease_id, lease_duration, renewable, data, warnings, auth, wrap_info, ...rest } = secret;
  return {
    request_id: request_id ?? '', lease_id: lease_id ?? '', lease_duration: lease_duration ?? 0,
    renewable: renewable ?? false, data: data ?? null, warnings: warnings ?? null,
    ...rest, ...(auth ? { auth } : {}), ...(wrap_info ? { wrap_info } : {}),
  };
}

/** Warnings go to stderr so piped output stays parseable. */
export function printWarnings(secret: Json | undefined): void {
  const warnings = secret?.warnings;
  if (!Array.isArray(warnings) || warnings.length === 0) return;
  err(`WARNING! The server returned these warnings:\n\n${warnings.map((w) => `  * ${String(w)}`).join('\n')}\n\n`);
}

/** Prints a secret in the chosen format. */
export function printSecret(format: Format, secret: Json): void {
  if (format === 'json') return printJson(secretJson(secret));
  printWarnings(secret);
  const rows = secretPairs(secret);
  if (rows.length > 0) out(`${kvTable(rows)}\n`);
}

/** Prints a bare data object (not an envelope) in the chosen format. */
export function printData(format: Format, data: Json): void {
  if (format === 'json') return printJson(data);
  const rows = dataPairs(data);
  if (rows.length > 0) out(`${kvTable(rows)}\n`);
}

/** Prints list keys: a Keys column, or a JSON array. */
export function printList(format: Format, keys: unknown[]): void {
  if (format === 'json') return printJson(keys);
  out(`${columns([['Keys'], ['----'], ...keys.map((k) => [String(k)])])}\n`);
}

/** The value `-field` selects from a secret: auth fields by their table names, else data. */
export function fieldOf(secret: Json, field: string): unknown {
  const auth = asObject(secret.auth);
  if (auth) {
    if (field === 'token_policies') return auth.token_policies ?? auth.policies ?? [];
    if (field === 'policies' || field === 'identity_policies') return auth[field] ?? [];
    const pair = authPairs(auth).find(([k]) => k === field);
    if (pair) return pair[1];
  }
  const wrap = asObject(secret.wrap_info);
  const wrapped = wrap && wrapPairs(wrap).find(([k]) => k === `${field}:`);
  if (wrapped) return wrapped[1];
  return asObject(secret.data)?.[field];
}

/**
 * Prints one field raw for scripts: no trailing newline unless stdout is a terminal (Vault).
 * Returns the exit code: 1 when the field is absent.
 */
export function printField(format: Format, value: unknown, field: string): number {
  if (value === undefined || value === null) {
    err(`Field "${field}" not present in secret\n`);
    return 1;
  }
  if (format === 'json') {
    printJson(value);
    return 0;
  }
  out(typeof value === 'string' ? value : goValue(value));
  if (process.stdout.isTTY) out('\n');
  return 0;
}

/** A section title centred in equal signs, sized to a table as Vault's kv commands do. */
export function padEqualSigns(title: string, width: number): string {
  let signs = width - (title.length + 2);
  if (signs <= 0) signs = 4;
  if (signs % 2 !== 0) signs += 1;
  const side = '='.repeat(signs / 2);
  return `${side} ${title} ${side}`;
}

/** A title sized for a Key/Value table of `data` (longest key + gap + "Value"). */
export function headerFor(title: string, data: Json): string {
  const longest = Math.max(0, ...Object.keys(data).map((k) => k.length));
  return padEqualSigns(title, longest + 4 + 5);
}
