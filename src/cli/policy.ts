// `lockbox policy`: ACL policies over sys/policies/acl, and `fmt`, which rewrites a policy
// file locally in canonical HCL.
import { readFileSync, writeFileSync } from 'node:fs';
import { asObject } from './json.js';
import { attempt, expectArgs, readStdin, type Context, type Group, type Subcommand } from './command.js';
import { NotPossible } from './errors.js';
import { apiFlags } from './flags.js';
import { printKeys } from './generic.js';
import { formatHcl } from './hcl-format.js';
import { err, out, printJson, printSecret } from './output.js';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    // Vault's wording and exit code (2): "Error opening policy file: open F: no such file or directory".
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
    throw new NotPossible(`Error opening policy file: open ${file}: ${why}`);
  }
}

/** Policy names are lower case on the server; Vault's CLI lower-cases them first too. */
const policyPath = (name: string) => `sys/policies/acl/${name.trim().toLowerCase()}`;

async function write(ctx: Context): Promise<number> {
  const [name = '', file = ''] = expectArgs(ctx.args, 2);
  const text = file === '-' ? await readStdin() : readText(file);
  await attempt(`uploading policy`, ctx.client().write(policyPath(name), { policy: text }));
  out(`Success! Uploaded policy: ${name}\n`);
  return 0;
}

async function read(ctx: Context): Promise<number> {
  const [name = ''] = expectArgs(ctx.args, 1);
  const secret = await attempt(`reading policy named ${name}`, ctx.client().read(policyPath(name)));
  if (!secret) {
    err(`No policy named: ${name}\n`);
    return 2;
  }
  if (ctx.format === 'json') {
    printSecret('json', secret);
    return 0;
  }
  const text = String(asObject(secret.data)?.policy ?? '');
  out(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

async function list(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const secret = await attempt('listing policies', ctx.client().list('sys/policies/acl'));
  const keys = asObject(secret?.data)?.keys;
  // Vault prints policy names one per line, without the Keys header of `lockbox list`.
  if (ctx.format === 'table' && Array.isArray(keys)) {
    out(keys.map((k) => `${String(k)}\n`).join(''));
    return 0;
  }
  if (ctx.format === 'json' && !Array.isArray(keys)) {
    printJson([]);
    return 0;
  }
  return printKeys(ctx, 'sys/policies/acl', secret);
}

async function remove(ctx: Context): Promise<number> {
  const [name = ''] = expectArgs(ctx.args, 1);
  await attempt(`deleting ${name}`, ctx.client().delete(policyPath(name)));
  out(`Success! Deleted policy: ${name}\n`);
  return 0;
}

async function fmt(ctx: Context): Promise<number> {
  const [file = ''] = expectArgs(ctx.args, 1);
  const formatted = formatHcl(readText(file));
  writeFileSync(file, formatted);
  out(`Success! Formatted policy: ${file}\n`);
  return 0;
}

const subcommands: Record<string, Subcommand> = {
  write: {
    synopsis: '[options] NAME PATH', summary: 'Uploads a named policy from a file', run: write,
    description: 'Uploads an ACL policy from a file, or from stdin when PATH is "-". A policy of that name is replaced.',
    examples: ['policy write app-read ./app-read.hcl', 'cat app-read.hcl | lockbox policy write app-read -'],
    flags: apiFlags([], 'none'),
  },
  read: {
    synopsis: '[options] NAME', summary: 'Prints the contents of a policy', run: read,
    description: 'Prints the rules of the named policy.',
    examples: ['policy read app-read'],
    flags: apiFlags(),
  },
  list: {
    synopsis: '[options]', summary: 'Lists the installed policies', run: list,
    description: 'Lists the names of the installed ACL policies.',
    examples: ['policy list'],
    flags: apiFlags(),
  },
  delete: {
    synopsis: '[options] NAME', summary: 'Deletes a policy by name', run: remove,
    description: 'Deletes the named policy; tokens that have it lose its rules at once.',
    examples: ['policy delete app-read'],
    flags: apiFlags([], 'none'),
  },
  fmt: {
    synopsis: '[options] PATH', summary: 'Formats a policy on disk', run: fmt,
    description: 'Rewrites a policy file in canonical HCL, keeping the comments above each statement.',
    examples: ['policy fmt ./app-read.hcl'],
    flags: [],
  },
};

/** `lockbox policy <subcommand>`. */
export const policyCommand: Group = {
  summary: 'Interact with policies',
  description: 'Writes, reads, lists, deletes and formats ACL policies, which say what a token may do on which paths.',
  subcommands,
};
