// `lockbox sops …`: SOPS-format files with Lockbox transit keys (sops's hc_vault) and age.
// Keys come from flags (-hc-vault-transit=<addr>/v1/<mount>/keys/<name>, -age=<recipient>) or
// from the first matching creation rule of the nearest .sops.yaml. Decryption uses the CLI's
// token for transit and SOPS_AGE_KEY / SOPS_AGE_KEY_FILE for age identities.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parse } from 'yaml';
import { expectArgs, type Context, type Group, type Subcommand } from '../command.js';
import { LocalError, UsageError } from '../errors.js';
import { apiFlags, bool, int, listFlag, str } from '../flags.js';
import { dataKeyFor, groupsOf, rekeyMetadata, selectorsOf, type Metadata } from './document.js';
import { decryptFile, encryptFile, formatOf, metadataOfFile, withMetadata, type Format } from './formats.js';
import type { Credentials } from './keys.js';
import { findConfig, parseTransitUri, ruleFor, type Creation } from './rules.js';
import type { Selectors } from './tree.js';

const SELECTOR_FLAGS = ['unencrypted-suffix', 'encrypted-suffix', 'unencrypted-regex', 'encrypted-regex'] as const;

/** The keys and selectors for a new file: flags first, else .sops.yaml. */
function creationFor(ctx: Context, file: string): Creation {
  const vault = ctx.args.all('hc-vault-transit').flatMap((s) => s.split(',')).filter(Boolean).map(parseTransitUri);
  const age = ctx.args.all('age').flatMap((s) => s.split(',')).filter(Boolean);
  const selectors: Selectors = {};
  for (const f of SELECTOR_FLAGS) {
    const v = ctx.args.flag(f);
    if (v !== undefined) selectors[f.replace(/-/g, '_') as keyof Selectors] = v;
  }
  if (Object.keys(selectors).length > 1) throw new UsageError('Error: cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex');
  const picked = Object.keys(selectors).length === 1 ? { selectors } : {};
  if (vault.length > 0 || age.length > 0) return { groups: [{ vault, age }], ...picked };
  const config = ctx.args.flag('config') ?? findConfig(process.cwd());
  const rule = config ? ruleFor(config, file) : undefined;
  if (!rule) throw new LocalError('error loading config: no matching creation rules found');
  return { ...rule, ...picked };
}

function credentials(ctx: Context): Credentials {
  let keys = process.env.SOPS_AGE_KEY ?? '';
  if (process.env.SOPS_AGE_KEY_FILE) keys += `\n${readFileSync(process.env.SOPS_AGE_KEY_FILE, 'utf8')}`;
  const ageIdentities = keys.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  return { token: ctx.options.token, ageIdentities };
}

const formatFor = (ctx: Context, file: string): Format => (ctx.args.flag('input-type') as Format | undefined) ?? formatOf(file);

/** Writes the result to the file (-in-place) or stdout. */
function emit(ctx: Context, file: string, out: Buffer): number {
  if (ctx.args.on('in-place')) writeFileSync(file, out);
  else process.stdout.write(out);
  return 0;
}

/** sops's errors are local errors here: exit code 1 with the message. */
async function local<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof LocalError) throw err;
    throw new LocalError((err as Error).message);
  }
}

async function encrypt(ctx: Context): Promise<number> {
  const [file] = expectArgs(ctx.args, 1) as [string];
  const creation = creationFor(ctx, file);
  const threshold = ctx.args.flag('shamir-secret-sharing-threshold');
  const opts = { ...creation, token: ctx.options.token, ...(threshold ? { shamirThreshold: Number(threshold) } : {}) };
  return emit(ctx, file, await local(encryptFile(readFileSync(file), formatFor(ctx, file), opts)));
}

async function decrypt(ctx: Context): Promise<number> {
  const [file] = expectArgs(ctx.args, 1) as [string];
  return emit(ctx, file, await local(decryptFile(readFileSync(file), formatFor(ctx, file), credentials(ctx))));
}

/** Encryption options naming the same key groups, threshold and selectors as a file's metadata. */
const sameKeys = (ctx: Context, meta: Metadata) => ({
  groups: groupsOf(meta), token: ctx.options.token, selectors: selectorsOf(meta),
  ...(meta.shamir_threshold ? { shamirThreshold: meta.shamir_threshold } : {}),
});

/** rotate: a new data key for the same key groups and selectors. */
async function rotate(ctx: Context): Promise<number> {
  const [file] = expectArgs(ctx.args, 1) as [string];
  const format = formatFor(ctx, file);
  const input = readFileSync(file);
  const meta = metadataOfFile(input, format);
  const clear = await local(decryptFile(input, format, credentials(ctx)));
  return emit(ctx, file, await local(encryptFile(clear, format, sameKeys(ctx, meta))));
}

/** updatekeys: the data key re-sealed for the keys the .sops.yaml rule names now. */
async function updatekeys(ctx: Context): Promise<number> {
  const [file] = expectArgs(ctx.args, 1) as [string];
  const format = formatFor(ctx, file);
  const input = readFileSync(file);
  const meta = metadataOfFile(input, format);
  const config = ctx.args.flag('config') ?? findConfig(process.cwd());
  const rule = config ? ruleFor(config, file) : undefined;
  if (!rule) throw new LocalError('error loading config: no matching creation rules found');
  const dataKey = await local(dataKeyFor(meta, credentials(ctx)));
  const next = await local(rekeyMetadata(meta, dataKey, { groups: rule.groups, token: ctx.options.token, ...(rule.shamirThreshold ? { shamirThreshold: rule.shamirThreshold } : {}) }));
  writeFileSync(file, withMetadata(input, format, next));
  process.stderr.write(`File ${file} synchronized with new keys\n`);
  return 0;
}

/** edit: the cleartext in $EDITOR; saved changes are encrypted again to the same keys. */
async function edit(ctx: Context): Promise<number> {
  const [file] = expectArgs(ctx.args, 1) as [string];
  const format = formatFor(ctx, file);
  const input = readFileSync(file);
  const meta = metadataOfFile(input, format);
  const clear = await local(decryptFile(input, format, credentials(ctx)));
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-sops-'));
  const path = join(dir, `edit${extname(file)}`);
  try {
    writeFileSync(path, clear, { mode: 0o600 });
    const editor = process.env.SOPS_EDITOR ?? process.env.EDITOR ?? 'vi';
    const code = await run(`${editor} "${path}"`, process.env);
    if (code !== 0) throw new LocalError(`Could not run editor: exit status ${code}`);
    const changed = readFileSync(path);
    if (changed.equals(clear)) {
      process.stderr.write('File has not changed, exiting.\n');
      return 0;
    }
    writeFileSync(file, await local(encryptFile(changed, format, sameKeys(ctx, meta))));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a shell command, passing its exit code through. */
function run(command: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

/** exec-env: the file's top-level values as environment variables of a command. */
async function execEnv(ctx: Context): Promise<number> {
  const [file, command] = expectArgs(ctx.args, 2) as [string, string];
  const format = formatFor(ctx, file);
  const clear = (await local(decryptFile(readFileSync(file), format, credentials(ctx)))).toString('utf8');
  const doc = (format === 'json' ? JSON.parse(clear) : format === 'dotenv' ? Object.fromEntries(clear.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/\\n/g, '\n')])) : parse(clear)) as Record<string, unknown>;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(doc ?? {})) if (v === null || typeof v !== 'object') env[k] = String(v);
  return run(command, env);
}

/** exec-file: the cleartext in a private temporary file, its path given to the command as {}. */
async function execFileCommand(ctx: Context): Promise<number> {
  const [file, command] = expectArgs(ctx.args, 2) as [string, string];
  const clear = await local(decryptFile(readFileSync(file), formatFor(ctx, file), credentials(ctx)));
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-sops-'));
  const path = join(dir, ctx.args.flag('filename') ?? 'tmp-file');
  try {
    writeFileSync(path, clear, { mode: 0o600 });
    return await run(command.replace(/\{\}/g, path), process.env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const inputType = str('input-type', 'File format: yaml, json, dotenv or binary; by default from the file name.');
const inPlace = bool('in-place', 'Write the result over the file instead of to stdout.', { aliases: ['i'] });
const configFlag = str('config', 'The .sops.yaml to use; by default the nearest one from the working directory up.');

const subcommands: Record<string, Subcommand> = {
  encrypt: {
    synopsis: '[options] FILE', summary: 'Encrypt a file in SOPS format', run: encrypt,
    description: 'Encrypts every value (keys ending in _unencrypted stay clear, unless another selector is given) under a new '
      + 'data key, sealed with each transit key and age recipient. Keys come from the flags or from .sops.yaml.',
    examples: ['sops encrypt -hc-vault-transit=https://127.0.0.1:8200/v1/sops/keys/app secrets.yaml'],
    flags: apiFlags([
      listFlag('hc-vault-transit', 'A transit key, as sops names it: <address>/v1/<mount>/keys/<name>. Repeatable.'),
      listFlag('age', 'An age recipient (age1…) that may also open the file. Repeatable.'),
      ...SELECTOR_FLAGS.map((f) => str(f, `sops's ${f.replace(/-/g, '_')} selector.`)),
      int('shamir-secret-sharing-threshold', 'With several key groups (from .sops.yaml): how many are needed.'),
      inputType, inPlace, configFlag,
    ], 'none'),
  },
  decrypt: {
    synopsis: '[options] FILE', summary: 'Decrypt a SOPS file', run: decrypt,
    description: 'Opens the data key through transit (the CLI\'s token) or age (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE) and checks the MAC.',
    examples: ['sops decrypt secrets.enc.yaml'],
    flags: apiFlags([inputType, inPlace], 'none'),
  },
  rotate: {
    synopsis: '[options] FILE', summary: 'Re-encrypt a SOPS file under a new data key', run: rotate,
    description: 'Decrypts the file and encrypts it again, with a fresh data key, to the same keys and selectors.',
    examples: ['sops rotate -in-place secrets.enc.yaml'],
    flags: apiFlags([inputType, inPlace], 'none'),
  },
  edit: {
    synopsis: '[options] FILE', summary: 'Edit a SOPS file in $EDITOR', run: edit,
    description: 'Decrypts the file to a private temporary file, opens SOPS_EDITOR or EDITOR on it, and encrypts the saved '
      + 'result again to the same keys and selectors (under a new data key).',
    examples: ['sops edit secrets.enc.yaml'],
    flags: apiFlags([inputType], 'none'),
  },
  updatekeys: {
    synopsis: '[options] FILE', summary: 'Seal a SOPS file\'s data key for the keys .sops.yaml names now', run: updatekeys,
    description: 'Keeps the data key and the values; replaces the key groups with those of the matching creation rule.',
    examples: ['sops updatekeys secrets.enc.yaml'],
    flags: apiFlags([inputType, configFlag], 'none'),
  },
  'exec-env': {
    synopsis: '[options] FILE COMMAND', summary: 'Run a command with the file\'s values in its environment', run: execEnv,
    description: 'Decrypts the file in memory and runs COMMAND with /bin/sh, its top-level values as environment variables.',
    examples: ['sops exec-env secrets.enc.yaml \'./start.sh\''],
    flags: apiFlags([inputType], 'none'),
  },
  'exec-file': {
    synopsis: '[options] FILE COMMAND', summary: 'Run a command with the cleartext in a temporary file', run: execFileCommand,
    description: 'Writes the cleartext to a private temporary file, runs COMMAND with {} replaced by its path, then removes it.',
    examples: ['sops exec-file secrets.enc.json \'cat {}\''],
    flags: apiFlags([inputType, str('filename', 'Name of the temporary file.')], 'none'),
  },
};

/** The `sops` command group. */
export const sopsCommand: Group = {
  summary: 'Read and write SOPS-format encrypted files',
  description: 'Encrypts and decrypts files in the on-disk format of sops, with Lockbox transit keys (sops\'s hc_vault) and age.',
  subcommands,
};
