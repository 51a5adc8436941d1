// `lockbox operator`: the seal lifecycle (init, unseal, seal) and the keyring (rotate,
// key-status), over the sys/ endpoints of the same names.
import { asObject, type Json } from './json.js';
import { attempt, dispatch, expectArgs, intFlag, secretInput, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { kvTable, out, printJson } from './output.js';
import { printSealStatus } from './status.js';

async function init(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const client = ctx.client();
  if (ctx.args.flags.has('status')) {
    // Vault: -status answers with the exit code alone (0 initialised, 2 not).
    const body = (await attempt('checking initialization status', client.request('GET', 'sys/init'))).body;
    const initialized = body?.initialized === true;
    out(initialized ? 'Lockbox is initialized\n' : 'Lockbox is not initialized\n');
    return initialized ? 0 : 2;
  }
  const shares = intFlag(ctx.args, 'key-shares') ?? intFlag(ctx.args, 'n') ?? 5;
  const threshold = intFlag(ctx.args, 'key-threshold') ?? intFlag(ctx.args, 't') ?? 3;
  const body = (await attempt('initializing', client.write('sys/init', { secret_shares: shares, secret_threshold: threshold }))) ?? {};
  const b64 = (body.keys_base64 as string[] | undefined) ?? [];
  const hex = (body.keys as string[] | undefined) ?? [];
  if (ctx.format === 'json') {
    printJson({
      unseal_keys_b64: b64, unseal_keys_hex: hex, unseal_shares: shares, unseal_threshold: threshold,
      recovery_keys_b64: [], recovery_keys_hex: [], recovery_keys_shares: 0, recovery_keys_threshold: 0,
      root_token: body.root_token,
    });
    return 0;
  }
  const keys = b64.length > 0 ? b64 : hex;
  out(keys.map((k, i) => `Unseal Key ${i + 1}: ${k}\n`).join(''));
  out(`\nInitial Root Token: ${String(body.root_token ?? '')}\n\n`);
  out(`Initialized with ${shares} key shares; any ${threshold} of them unseal the server.\n`
    + 'The server is sealed now: run "lockbox operator unseal" with enough key shares.\n'
    + 'Store each key share with a different person. Without enough shares the data\n'
    + 'cannot be recovered by anyone.\n');
  return 0;
}

async function unseal(ctx: Context): Promise<number> {
  const [key] = expectArgs(ctx.args, 0, 1);
  const client = ctx.client();
  let body: Json | undefined;
  if (ctx.args.flags.has('reset')) {
    if (key !== undefined) throw new UsageError('-reset takes no key argument');
    body = await attempt('resetting unseal', client.write('sys/unseal', { reset: true }));
  } else {
    const share = await secretInput(key, 'Unseal Key (will be hidden): ');
    if (share === '') throw new UsageError('no unseal key given');
    body = await attempt('unsealing', client.write('sys/unseal', { key: share }));
  }
  printSealStatus(ctx.format, body ?? {});
  return 0;
}

async function seal(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  await attempt('sealing', ctx.client().write('sys/seal'));
  out('Success! Lockbox is sealed.\n');
  return 0;
}

/** Vault's key-status rows. */
function printKeyStatus(ctx: Context, status: Json): void {
  if (ctx.format === 'json') return printJson(status);
  out(`${kvTable([
    ['Key Term', String(status.term ?? '')],
    ['Install Time', String(status.install_time ?? '')],
    ['Encryption Count', String(status.encryptions ?? '')],
  ])}\n`);
}

async function keyStatus(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const body = await attempt('reading key status', ctx.client().read('sys/key-status'));
  printKeyStatus(ctx, asObject(body?.data) ?? body ?? {});
  return 0;
}

async function rotate(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const client = ctx.client();
  await attempt('rotating key', client.write('sys/rotate'));
  const body = await attempt('reading key status', client.read('sys/key-status'));
  if (ctx.format !== 'json') out('Success! Rotated key\n\n');
  printKeyStatus(ctx, asObject(body?.data) ?? body ?? {});
  return 0;
}

const subcommands: Record<string, Subcommand> = {
  init: { synopsis: '[-key-shares=N] [-key-threshold=N] [-status]', summary: 'Initialise a server', run: init },
  unseal: { synopsis: '[-reset] [KEY]', summary: 'Submit an unseal key share', run: unseal },
  seal: { synopsis: '', summary: 'Seal the server', run: seal },
  rotate: { synopsis: '', summary: 'Add a new encryption key term', run: rotate },
  'key-status': { synopsis: '', summary: 'Show the active encryption key term', run: keyStatus },
};

/** `lockbox operator <subcommand>`. */
export function operatorCommand(ctx: Context): Promise<number> {
  return dispatch('operator', ctx, subcommands);
}
