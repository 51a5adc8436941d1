// `lockbox operator rekey` and `operator generate-root`: the key-share ceremonies over
// sys/rekey/* and sys/generate-root/*. Each run submits one share (as argument, `-` for
// stdin, or typed without echo) and prints the progress, so holders can take turns.
import { randomBase62 } from '../util/base62.js';
import { asObject, type Json } from './json.js';
import { attempt, expectArgs, secretInput, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, int, str } from './flags.js';
import { columns, err, kvTable, out, printJson } from './output.js';

/** The encoded token XOR-ed back with the OTP (the server sent base64 without padding). */
export function decodeToken(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.length !== pad.length) throw new UsageError(`Error xoring token: length of byte slices is not equivalent: ${bytes.length} != ${pad.length}`);
  return Buffer.from(bytes.map((b, i) => b ^ (pad[i] as number))).toString('utf8');
}

/** Exactly one of the mode flags, or none (submit a share). */
function mode(ctx: Context, modes: string[]): string | undefined {
  const given = modes.filter((m) => ctx.args.on(m) || (m === 'decode' && ctx.args.flag('decode') !== undefined));
  if (given.length > 1) throw new UsageError(`Only one of ${modes.map((m) => `-${m}`).join(', ')} may be given`);
  return given[0];
}

/**
 * The share to submit and the nonce to submit it under. As in Vault, the nonce comes from the
 * server only when the share is typed at the terminal; a share given as an argument or on
 * stdin needs -nonce, so a script cannot add a share to an attempt it did not mean.
 */
async function shareAndNonce(ctx: Context, statusNonce: string): Promise<{ key: string; nonce: string }> {
  const [arg] = expectArgs(ctx.args, 0, 1);
  const prompting = arg === undefined && process.stdin.isTTY;
  const nonce = prompting ? statusNonce : ctx.args.flag('nonce') ?? '';
  if (prompting) err(`Operation nonce: ${nonce}\n`);
  const key = await secretInput(arg, 'Unseal Key (will be hidden): ');
  if (key === '') throw new UsageError('no key share given');
  if (nonce === '') throw new UsageError('Missing nonce value: specify it via the -nonce flag');
  return { key, nonce };
}

// ---- rekey ----

function printRekeyStatus(ctx: Context, s: Json): void {
  if (ctx.format === 'json') return printJson(s);
  const rows: Array<[string, string]> = [
    ['Nonce', String(s.nonce ?? '')], ['Started', String(s.started ?? false)],
    ['Rekey Progress', `${String(s.progress ?? 0)}/${String(s.required ?? 0)}`],
    ['New Shares', String(s.n ?? 0)], ['New Threshold', String(s.t ?? 0)],
    ['Verification Required', String(s.verification_required ?? false)],
  ];
  if (s.verification_nonce) rows.push(['Verification Nonce', String(s.verification_nonce)]);
  out(`${kvTable(rows)}\n`);
}

function printRekeyResult(ctx: Context, r: Json, status: Json): void {
  if (ctx.format === 'json') return printJson(r);
  const keys = (r.keys_base64 as string[] | undefined) ?? [];
  out(keys.map((k, i) => `Key ${i + 1}: ${k}\n`).join(''));
  out(`\nOperation nonce: ${String(r.nonce ?? '')}\n\n`);
  const n = String(status.n ?? keys.length);
  const t = String(status.t ?? '');
  if (r.verification_required) {
    out(`Lockbox has created ${n} new key shares with a threshold of ${t}. They are not in use yet: give ${t} of\n`
      + 'them to "lockbox operator rekey -verify" to install them. Until then the old key shares\n'
      + 'keep working.\n');
  } else {
    out(`Lockbox rekeyed with ${n} key shares and a key threshold of ${t}. Hand each key share\n`
      + `to a different person. From the next unseal on, it takes ${t} of these (the old ones no\n`
      + 'longer work).\n');
  }
}

async function rekey(ctx: Context): Promise<number> {
  const client = ctx.client();
  const which = mode(ctx, ['init', 'cancel', 'status', 'verify']);
  if (which === 'cancel') {
    expectArgs(ctx.args, 0);
    await attempt('canceling rekey', client.request('DELETE', ctx.args.on('verify') ? 'sys/rekey/verify' : 'sys/rekey/init'));
    out('Success! Canceled rekeying (if it was started)\n');
    return 0;
  }
  const status = async () => (await attempt('getting rekey status', client.request('GET', 'sys/rekey/init'))).body ?? {};
  if (which === 'status') {
    expectArgs(ctx.args, 0);
    printRekeyStatus(ctx, await status());
    return 0;
  }
  if (which === 'init') {
    expectArgs(ctx.args, 0);
    const body = {
      secret_shares: Number(ctx.args.flag('key-shares') ?? 5), secret_threshold: Number(ctx.args.flag('key-threshold') ?? 3),
      require_verification: ctx.args.on('verify'),
    };
    printRekeyStatus(ctx, (await attempt('initializing rekey', client.request('PUT', 'sys/rekey/init', { body }))).body ?? {});
    return 0;
  }
  const current = await status();
  if (current.started !== true) {
    err('No rekey is in progress. Start one with "lockbox operator rekey -init".\n');
    return 1;
  }
  if (which === 'verify') {
    const verification = (await attempt('getting verification status', client.request('GET', 'sys/rekey/verify'))).body ?? {};
    const { key, nonce } = await shareAndNonce(ctx, String(verification.nonce ?? ''));
    const r = (await attempt('posting verification share', client.request('PUT', 'sys/rekey/verify', { body: { key, nonce } }))).body ?? {};
    if (r.complete === true) {
      if (ctx.format === 'json') printJson(r);
      else out('Success! Rekey verification was successful. The new key shares are in use; the old ones no longer unseal.\n');
      return 0;
    }
    if (ctx.format === 'json') printJson(r);
    else out(`${kvTable([['Nonce', String(r.nonce ?? '')], ['Started', String(r.started ?? false)], ['Verification Progress', `${String(r.progress ?? 0)}/${String(r.t ?? 0)}`]])}\n`);
    return 0;
  }
  const { key, nonce } = await shareAndNonce(ctx, String(current.nonce ?? ''));
  const r = (await attempt('posting unseal key', client.request('PUT', 'sys/rekey/update', { body: { key, nonce } }))).body ?? {};
  if (r.complete === true) printRekeyResult(ctx, r, current);
  else printRekeyStatus(ctx, r);
  return 0;
}

// ---- generate-root ----

function printRootStatus(ctx: Context, s: Json): void {
  if (ctx.format === 'json') return printJson(s);
  const rows = [
    ['Nonce', String(s.nonce ?? '')], ['Started', String(s.started ?? false)],
    ['Progress', `${String(s.progress ?? 0)}/${String(s.required ?? 0)}`], ['Complete', String(s.complete ?? false)],
  ];
  if (s.encoded_token) rows.push(['Encoded Token', String(s.encoded_token)]);
  if (s.otp) {
    err('A One-Time-Password has been generated for you and is shown in the OTP field. You need it to\n'
      + 'decode the resulting root token, so keep it safe.\n');
    rows.push(['OTP', String(s.otp)]);
  }
  if (Number(s.otp_length ?? 0) !== 0) rows.push(['OTP Length', String(s.otp_length)]);
  out(`${columns(rows)}\n`);
}

async function generateRoot(ctx: Context): Promise<number> {
  const which = mode(ctx, ['init', 'cancel', 'status', 'decode', 'generate-otp']);
  if (which === 'generate-otp') {
    expectArgs(ctx.args, 0);
    const s = (await attempt('getting root generation status', ctx.client().request('GET', 'sys/generate-root/attempt'))).body ?? {};
    out(`${randomBase62(Number(s.otp_length ?? 28))}\n`);
    return 0;
  }
  if (which === 'decode') {
    expectArgs(ctx.args, 0);
    const encoded = ctx.args.flag('decode') ?? '';
    let otp = ctx.args.flag('otp') ?? '';
    if (encoded === '') throw new UsageError('Missing encoded value: use -decode=<string> to supply it');
    if (otp === '-') otp = await secretInput('-', '');
    if (otp === '') throw new UsageError('Missing otp: use -otp to supply it');
    const token = decodeToken(encoded, otp);
    if (ctx.format === 'json') printJson({ token });
    else out(process.stdout.isTTY ? `${token}\n` : token);
    return 0;
  }
  const client = ctx.client();
  if (which === 'cancel') {
    expectArgs(ctx.args, 0);
    await attempt('canceling root token generation', client.request('DELETE', 'sys/generate-root/attempt'));
    out('Success! Root token generation canceled (if it was started)\n');
    return 0;
  }
  const status = async () => (await attempt('getting root generation status', client.request('GET', 'sys/generate-root/attempt'))).body ?? {};
  if (which === 'status') {
    expectArgs(ctx.args, 0);
    printRootStatus(ctx, await status());
    return 0;
  }
  if (which === 'init') {
    expectArgs(ctx.args, 0);
    const otp = ctx.args.flag('otp');
    const body = otp === undefined ? {} : { otp };
    printRootStatus(ctx, (await attempt('initializing root generation', client.request('PUT', 'sys/generate-root/attempt', { body }))).body ?? {});
    return 0;
  }
  const current = await status();
  if (current.started !== true) {
    err('No root generation is in progress. Start one with "lockbox operator generate-root -init".\n');
    return 1;
  }
  const { key, nonce } = await shareAndNonce(ctx, String(current.nonce ?? ''));
  const r = (await attempt('posting unseal key', client.request('PUT', 'sys/generate-root/update', { body: { key, nonce } }))).body ?? {};
  printRootStatus(ctx, asObject(r) ?? {});
  return 0;
}

const NONCE = str('nonce', 'The nonce of the operation, when the key share is given as an argument or on stdin.');
const STATUS = bool('status', 'Print the progress of the current operation, and nothing else.');
const CANCEL = bool('cancel', 'Cancel the current operation; the shares given so far are forgotten.');

export const rekeyCommand: Subcommand = {
  synopsis: '[options] [KEY]', summary: 'Generates new unseal keys', run: rekey,
  description: 'Replaces the key shares: holders of the current shares (a threshold of them, one run each) authorise a '
    + 'new root key split into -key-shares shares. The data stays as it is. With -init -verify the new shares are '
    + 'installed only after a threshold of them has been given back with -verify. Progress is lost if the server '
    + 'restarts or seals, as in Vault.',
  examples: ['operator rekey -init -key-shares=5 -key-threshold=3', 'operator rekey', 'operator rekey -status',
    'operator rekey -verify', 'operator rekey -cancel'],
  flags: apiFlags([
    bool('init', 'Start a rekey. The default share count and threshold are 5 and 3.'),
    CANCEL, STATUS,
    bool('verify', 'With -init: require verification of the new shares. Otherwise: submit one new share for verification.'),
    int('key-shares', 'How many shares to split the new root key into.', { default: '5', aliases: ['n'] }),
    int('key-threshold', 'How many shares it will take to unseal.', { default: '3', aliases: ['t'] }),
    NONCE,
  ]),
};

export const generateRootCommand: Subcommand = {
  synopsis: '[options] [KEY]', summary: 'Generates a new root token', run: generateRoot,
  description: 'Mints a new root token from a threshold of key shares, one run per holder. The token is returned '
    + 'XOR-ed with a one-time password (shown once by -init, or given with -init -otp) and decoded with -decode. '
    + 'Progress is lost if the server restarts or seals, as in Vault.',
  examples: ['operator generate-root -init', 'operator generate-root', 'operator generate-root -decode=<encoded> -otp=<otp>',
    'operator generate-root -cancel'],
  flags: apiFlags([
    bool('init', 'Start a root token generation; without -otp the server makes the OTP and prints it once.'),
    CANCEL, STATUS,
    str('otp', 'With -init: the one-time password to encode the token with (28 characters, see -generate-otp). With -decode: the OTP to decode with ("-" reads it from stdin).'),
    str('decode', 'Decode this encoded token with -otp and print the root token.'),
    bool('generate-otp', 'Print a one-time password of the length the server expects.'),
    NONCE,
  ]),
};
