// `lockbox sops encrypt|decrypt FILE`: SOPS-format JSON and YAML files, keys as sops names
// them: -hc-vault-transit=<addr>/v1/<engine>/keys/<name> (repeatable) and -age=<recipient>.
// Decryption uses the CLI's token for transit and SOPS_AGE_KEY for age identities.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { expectArgs, type Context, type Group, type Subcommand } from '../command.js';
import { LocalError, UsageError } from '../errors.js';
import { apiFlags, listFlag } from '../flags.js';
import { decryptDocument, encryptDocument, type VaultKey } from './document.js';

/** Parses sops's hc_vault key URI: <address>/v1/<engine path>/keys/<key name>. */
export function parseTransitUri(uri: string): VaultKey {
  const m = /^(https?:\/\/[^/]+)\/v1\/(.+)\/keys\/([^/]+)$/.exec(uri);
  if (!m) throw new UsageError(`invalid hc_vault key URI "${uri}": expected <address>/v1/<engine>/keys/<name>`);
  return { vault_address: m[1] as string, engine_path: m[2] as string, key_name: m[3] as string };
}

function readDocument(file: string): { doc: Record<string, unknown>; yaml: boolean } {
  const text = readFileSync(file, 'utf8');
  const yaml = /\.ya?ml$/i.test(file);
  const doc: unknown = yaml ? parse(text) : JSON.parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new LocalError(`${file}: the document must be a map`);
  return { doc: doc as Record<string, unknown>, yaml };
}

const write = (doc: unknown, yaml: boolean): void => {
  process.stdout.write(yaml ? stringify(doc) : `${JSON.stringify(doc, null, '\t')}\n`);
};

const fileArg = (ctx: Context): string => expectArgs(ctx.args, 1)[0] as string;

const subcommands: Record<string, Subcommand> = {
  encrypt: {
    synopsis: '[options] FILE',
    summary: 'Encrypt a JSON or YAML file in SOPS format to stdout',
    description: 'Encrypts every value (keys ending in _unencrypted stay clear) under a new data key, which is '
      + 'encrypted with each transit key and age recipient given. Files written are readable by sops.',
    examples: ['sops encrypt -hc-vault-transit=https://127.0.0.1:8200/v1/sops/keys/app secrets.yaml'],
    flags: apiFlags([
      listFlag('hc-vault-transit', 'A transit key, as sops names it: <address>/v1/<mount>/keys/<name>. Repeatable.'),
      listFlag('age', 'An age recipient (age1…) that may also open the file. Repeatable.'),
    ], 'none'),
    run: async (ctx) => {
      const { doc, yaml } = readDocument(fileArg(ctx));
      const vault = ctx.args.all('hc-vault-transit').map(parseTransitUri);
      const enc = await encryptDocument(doc, { vault, age: ctx.args.all('age'), token: ctx.options.token });
      write(enc, yaml);
      return 0;
    },
  },
  decrypt: {
    synopsis: '[options] FILE',
    summary: 'Decrypt a SOPS-format JSON or YAML file to stdout',
    description: 'Opens the data key through transit with the CLI\'s token, or with the age identities in '
      + 'SOPS_AGE_KEY, and checks the file\'s MAC as sops does.',
    examples: ['sops decrypt secrets.enc.yaml'],
    flags: apiFlags([], 'none'),
    run: async (ctx) => {
      const { doc, yaml } = readDocument(fileArg(ctx));
      const ageIdentities = (process.env.SOPS_AGE_KEY ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('AGE-SECRET-KEY-'));
      try {
        write(await decryptDocument(doc, { token: ctx.options.token, ageIdentities }), yaml);
      } catch (err) {
        throw new LocalError((err as Error).message);
      }
      return 0;
    },
  },
};

/** The `sops` command group. */
export const sopsCommand: Group = {
  summary: 'Read and write SOPS-format encrypted files',
  description: 'Encrypts and decrypts files in the on-disk format of sops, with Lockbox transit keys (sops\'s hc_vault) and age.',
  subcommands,
};
