// Options every device type accepts (Vault's common audit options) and the parsing rules Vault
// applies to them: option values arrive as strings, booleans follow Go's strconv.ParseBool.
import { BadRequest } from '../util/errors.js';

/** How a device turns an audit record into a line. */
export type FormatOptions = {
  format: 'json' | 'jsonx';
  /** Written before every line (Vault's `prefix`). */
  prefix: string;
  /** Log secrets, tokens and accessors unhashed. */
  logRaw: boolean;
  /** Hash token accessors too (Vault's default). */
  hmacAccessor: boolean;
  /** Replace list responses' `keys` with their count. */
  elideListResponses: boolean;
};

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean option, parsed as Go's strconv.ParseBool does; absent or '' means `fallback`. */
export function boolOption(options: Record<string, string>, name: string, fallback: boolean): boolean {
  const raw = options[name];
  if (raw === undefined || raw === '') return fallback;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw new BadRequest(`unable to parse '${name}': expected a boolean`);
}

/** A string option with a default. */
export const stringOption = (options: Record<string, string>, name: string, fallback: string): string =>
  options[name] ?? fallback;

/** A duration option in Go's short form ("2s", "500ms", "1m"), in milliseconds. */
export function durationOption(options: Record<string, string>, name: string, fallbackMs: number): number {
  const raw = options[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new BadRequest(`unable to parse '${name}': expected a duration such as "2s"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

/** The common options of every device type. */
export function parseFormatOptions(options: Record<string, string>): FormatOptions {
  const format = stringOption(options, 'format', 'json');
  if (format !== 'json' && format !== 'jsonx') throw new BadRequest(`unknown format type "${format}"`);
  return {
    format,
    prefix: stringOption(options, 'prefix', ''),
    logRaw: boolOption(options, 'log_raw', false),
    hmacAccessor: boolOption(options, 'hmac_accessor', true),
    elideListResponses: boolOption(options, 'elide_list_responses', false),
  };
}
