// Flags many commands share, declared once: Vault's "HTTP Options" (where the server is and
// how to trust it) and "Output Options" (-format, -field). Commands add their own group.
import type { FlagGroup, FlagSpec } from './args.js';

export const HTTP_TITLE = 'HTTP Options';
export const OUTPUT_TITLE = 'Output Options';
export const COMMAND_TITLE = 'Command Options';

/** What the client honours (clientOptions): nothing here is accepted and then ignored. */
export const HTTP_FLAGS: FlagSpec[] = [
  {
    name: 'address', kind: 'string', default: 'http://127.0.0.1:8200', env: ['LOCKBOX_ADDR', 'VAULT_ADDR'],
    usage: 'Address of the Lockbox (or Vault) server.',
  },
  {
    name: 'ca-cert', kind: 'string', env: ['LOCKBOX_CACERT', 'VAULT_CACERT'],
    usage: 'Path on the local disk to a PEM-encoded CA certificate to verify the server\'s TLS certificate with.',
  },
  {
    name: 'tls-skip-verify', kind: 'bool', default: 'false', env: ['LOCKBOX_SKIP_VERIFY', 'VAULT_SKIP_VERIFY'],
    usage: 'Do not verify the server\'s TLS certificate. This is dangerous: anyone on the path can read and change the traffic.',
  },
  {
    name: 'wrap-ttl', kind: 'duration', env: ['LOCKBOX_WRAP_TTL', 'VAULT_WRAP_TTL'],
    usage: 'Wrap the response in a cubbyhole token that lives this long (e.g. "5m"); the secret is read later with "lockbox unwrap".',
  },
];

export const FORMAT_FLAG: FlagSpec = {
  name: 'format', kind: 'string', default: 'table', env: ['LOCKBOX_FORMAT', 'VAULT_FORMAT'], completion: ['table', 'json', 'yaml'],
  usage: 'Print the output in the given format: "table", "json" or "yaml" ("raw" for read: the body as the server sent it).',
};

export const FIELD_FLAG: FlagSpec = {
  name: 'field', kind: 'string',
  usage: 'Print only the field with this name, with no trailing newline unless stdout is a terminal. Takes precedence over -format.',
};

/** The flag groups of a command that talks to the server, in Vault's order. */
export function apiFlags(commandFlags: FlagSpec[] = [], output: 'format' | 'field' | 'none' = 'format'): FlagGroup[] {
  const groups: FlagGroup[] = [{ title: HTTP_TITLE, flags: HTTP_FLAGS }];
  if (output !== 'none') groups.push({ title: OUTPUT_TITLE, flags: output === 'field' ? [FIELD_FLAG, FORMAT_FLAG] : [FORMAT_FLAG] });
  if (commandFlags.length > 0) groups.push({ title: COMMAND_TITLE, flags: commandFlags });
  return groups;
}

/** A string flag. */
export const str = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'string', usage, ...extra });
/** A boolean flag, false by default. */
export const bool = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'bool', default: 'false', usage, ...extra });
/** An integer flag. */
export const int = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'int', usage, ...extra });
/** A duration flag ("30m", "1h", or seconds). */
export const dur = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'duration', usage, ...extra });
/** A repeatable list flag; each value may also hold several, comma-separated. */
export const listFlag = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'strings', usage, ...extra });
/** A repeatable key=value flag. */
export const mapFlag = (name: string, usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, kind: 'map', usage, ...extra });
