// `lockbox operator`: the seal lifecycle (init, unseal, seal) and the keyring (rotate,
// key-status), over the sys/ endpoints of the same names.
import { asObject, type Json } from './json.js';
import { attempt, expectArgs, intFlag, secretInput, type Context, type Group, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, int } from './flags.js';
import { generateRootCommand, rekeyCommand } from './operator-keys.js';
import { columns, kvTable, out, printJson } from './output.js';
import { printSealStatus } from './status.js';

async function init(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const client = ctx.client();
  if (ctx.args.on('status')) {
    // Vault: -status answers with the exit code alone (0 initialised, 2 not).
    const body = (await attempt('checking initialization status', client.request('GET', 'sys/init'))).body;
    const initialized = body?.initialized === true;
    out(initialized ? 'Lockbox is initialized\n' : 'Lockbox is not initialized\n');
    return initialized ? 0 : 2;
  }
  // Vault's CLI: an auto seal (recovery_seal in seal-status) takes recovery key shares instead.
  const sealStatus = (await attempt('checking seal status', client.request('GET', 'sys/seal-status'))).body;
  if (sealStatus?.recovery_seal === true) return initRecovery(ctx);
  const shares = intFlag(ctx.args, 'key-shares') ?? 5;
  const threshold = intFlag(ctx.args, 'key-threshold') ?? 3;
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

/** Init of an auto-sealed server: recovery key shares, and the server unseals itself. */
async function initRecovery(ctx: Context): Promise<number> {
  const shares = intFlag(ctx.args, 'recovery-shares') ?? 5;
  const threshold = intFlag(ctx.args, 'recovery-threshold') ?? 3;
  const body = (await attempt('initializing', ctx.client().write('sys/init', { recovery_shares: shares, recovery_threshold: threshold }))) ?? {};
  const b64 = (body.recovery_keys_base64 as string[] | undefined) ?? [];
  const hex = (body.recovery_keys as string[] | undefined) ?? [];
  if (ctx.format === 'json') {
    printJson({
      unseal_keys_b64: [], unseal_keys_hex: [], unseal_shares: 1, unseal_threshold: 1,
      recovery_keys_b64: b64, recovery_keys_hex: hex, recovery_keys_shares: shares, recovery_keys_threshold: threshold,
      root_token: body.root_token,
    });
    return 0;
  }
  out(b64.map((k, i) => `Recovery Key ${i + 1}: ${k}\n`).join(''));
  out(`\nInitial Root Token: ${String(body.root_token ?? '')}\n\n`);
  out(`Success! Lockbox is initialized\n\nRecovery key initialized with ${shares} key shares and a key threshold of ${threshold}.\n`
    + 'The server has unsealed itself with its auto seal. Recovery keys cannot decrypt anything; they\n'
    + 'authorise operations such as generate-root, and unseal after "lockbox operator seal".\n');
  return 0;
}

async function unseal(ctx: Context): Promise<number> {
  const [key] = expectArgs(ctx.args, 0, 1);
  const client = ctx.client();
  let body: Json | undefined;
  if (ctx.args.on('reset')) {
    if (key !== undefined) throw new UsageError('-reset takes no key argument');
    body = await attempt('resetting unseal', client.write('sys/unseal', { reset: true }));
  } else {
    const share = await secretInput(key, 'Unseal Key (will be hidden): ');
    if (share === '') throw new UsageError('no unseal key given');
    body = await attempt('unsealing', client.write('sys/unseal', { key: share, ...(ctx.args.on('migrate') ? { migrate: true } : {}) }));
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

async function stepDown(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const client = ctx.client();
  await attempt('stepping down', client.write('sys/step-down'));
  out(`Success! Stepped down: ${client.address}\n`);
  return 0;
}

async function members(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  const body = await attempt('retrieving HA status', ctx.client().read('sys/ha-status'));
  const nodes = (Array.isArray(body?.Nodes) ? body.Nodes : []) as Json[];
  if (ctx.format === 'json') return (printJson({ Nodes: nodes }), 0);
  // Vault's columns; upgrade version and redundancy zone are Enterprise-only, so n/a here.
  out(`${columns([
    ['Host Name', 'API Address', 'Cluster Address', 'Active Node', 'Version', 'Upgrade Version', 'Redundancy Zone', 'Last Echo'],
    ...nodes.map((n) => [String(n.hostname ?? ''), String(n.api_address ?? ''), String(n.cluster_address ?? ''),
      String(n.active_node ?? false), String(n.version ?? ''), '', '', n.last_echo ? String(n.last_echo) : '']),
  ])}\n`);
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
  init: {
    synopsis: '[options]', summary: 'Initializes a server', run: init,
    description: 'Initialises a new server: creates the root key, splits it into key shares with Shamir\'s secret '
      + 'sharing, and prints the shares and the initial root token. This happens once per storage.',
    examples: ['operator init', 'operator init -key-shares=3 -key-threshold=2', 'operator init -status'],
    flags: apiFlags([
      int('key-shares', 'How many key shares to split the root key into.', { default: '5', aliases: ['n'] }),
      int('key-threshold', 'How many key shares it takes to unseal.', { default: '3', aliases: ['t'] }),
      int('recovery-shares', 'With an auto seal: how many recovery key shares to make.', { default: '5' }),
      int('recovery-threshold', 'With an auto seal: how many recovery key shares it takes to authorise.', { default: '3' }),
      bool('status', 'Only report whether the server is initialised: exit code 0 if it is, 2 if not.'),
    ]),
  },
  unseal: {
    synopsis: '[options] [KEY]', summary: 'Unseals the server', run: unseal,
    description: 'Submits one key share towards unsealing. Without KEY it asks for it without echo (or reads stdin '
      + 'when that is not a terminal), so the share stays out of the shell history.',
    examples: ['operator unseal', 'operator unseal -reset', 'operator unseal -migrate'],
    flags: apiFlags([
      bool('reset', 'Discard the key shares submitted so far.'),
      bool('migrate', 'The key is for a pending seal migration (Shamir to an auto seal, or back).'),
    ]),
  },
  seal: {
    synopsis: '[options]', summary: 'Seals the server', run: seal,
    description: 'Seals the server: it forgets its keys and answers nothing but status until unsealed again.',
    examples: ['operator seal'],
    flags: apiFlags([], 'none'),
  },
  rotate: {
    synopsis: '[options]', summary: 'Rotates the underlying encryption key', run: rotate,
    description: 'Adds a new encryption key term; new writes use it, older data stays readable with the older terms.',
    examples: ['operator rotate'],
    flags: apiFlags(),
  },
  'step-down': {
    synopsis: '[options]', summary: 'Forces the active node to give up the active role', run: stepDown,
    description: 'Asks the active node of an HA cluster to step down: it becomes a standby and one of the other '
      + 'nodes takes over. Sent to a standby, the request is forwarded to the active node.',
    examples: ['operator step-down'],
    flags: apiFlags([], 'none'),
  },
  members: {
    synopsis: '[options]', summary: 'Lists the nodes of an HA cluster', run: members,
    description: 'Lists the active node and the standbys that have announced themselves lately, with the time each was last heard from.',
    examples: ['operator members'],
    flags: apiFlags(),
  },
  rekey: rekeyCommand,
  'generate-root': generateRootCommand,
  'key-status': {
    synopsis: '[options]', summary: 'Provides information about the active encryption key', run: keyStatus,
    description: 'Shows the active encryption key term, when it was installed and how often it has been used.',
    examples: ['operator key-status'],
    flags: apiFlags(),
  },
};

/** `lockbox operator <subcommand>`. */
export const operatorCommand: Group = {
  summary: 'Perform operator-specific tasks',
  description: 'Initialises, seals and unseals a server, and manages its encryption keys.',
  subcommands,
};
