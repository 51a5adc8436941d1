// `lockbox policy`: ACL policies over sys/policies/acl, and `fmt`, which rewrites a policy
// file locally in canonical HCL.
import { readFileSync, writeFileSync } from 'node:fs';
import { asObject } from './json.js';
import { attempt, dispatch, expectArgs, readStdin, type Context, type Subcommand } from './command.js';
import { NotPossible } from './errors.js';
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
  write: { synopsis: 'NAME FILE|-', summary: 'Upload a policy from a file or stdin', run: write },
  read: { synopsis: 'NAME', summary: 'Print a policy', run: read },
  list: { synopsis: '', summary: 'List policy names', run: list },
  delete: { synopsis: 'NAME', summary: 'Delete a policy', run: remove },
  fmt: { synopsis: 'FILE', summary: 'Rewrite a policy file in canonical HCL', run: fmt },
};

/** `lockbox policy <subcommand>`. */
export function policyCommand(ctx: Context): Promise<number> {
  return dispatch('policy', ctx, subcommands);
}
