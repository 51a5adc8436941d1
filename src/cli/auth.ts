// `lockbox auth`: enable, disable, list, tune and move auth methods over sys/auth.
import { attempt, dispatch, ensureTrailingSlash, expectArgs, type Context, type Subcommand } from './command.js';
import { out } from './output.js';
import { enableBody, moveMount, printMounts, tuneBody } from './secrets.js';

async function enable(ctx: Context): Promise<number> {
  const [type = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(ctx.args.flag('path') ?? type);
  await attempt('enabling auth method', ctx.client().write(`sys/auth/${path}`, enableBody(ctx, type), 'POST'));
  out(`Success! Enabled ${type} auth method at: ${path}\n`);
  return 0;
}

async function disable(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(raw);
  await attempt(`disabling auth method at ${path}`, ctx.client().delete(`sys/auth/${path}`));
  out(`Success! Disabled the auth method (if it existed) at: ${path}\n`);
  return 0;
}

async function list(ctx: Context): Promise<number> {
  expectArgs(ctx.args, 0);
  printMounts(ctx, await attempt('listing enabled authentications', ctx.client().read('sys/auth')), true);
  return 0;
}

async function tune(ctx: Context): Promise<number> {
  const [raw = ''] = expectArgs(ctx.args, 1);
  const path = ensureTrailingSlash(raw);
  await attempt(`tuning auth method ${path}`, ctx.client().write(`sys/auth/${path}tune`, tuneBody(ctx), 'POST'));
  out(`Success! Tuned the auth method at: ${path}\n`);
  return 0;
}

async function move(ctx: Context): Promise<number> {
  const [from = '', to = ''] = expectArgs(ctx.args, 2);
  // sys/remount tells the tables apart by the auth/ prefix.
  const withPrefix = (p: string) => ensureTrailingSlash(p.replace(/^\/*(auth\/)?/, 'auth/'));
  return moveMount(ctx, withPrefix(from), withPrefix(to), 'auth method');
}

const FLAGS = '[-path=P] [-description=S] [-default-lease-ttl=D] [-max-lease-ttl=D] [-listing-visibility=V] [-options=K=V]... [-local]';

const subcommands: Record<string, Subcommand> = {
  enable: { synopsis: `${FLAGS} TYPE`, summary: 'Enable an auth method', run: enable },
  disable: { synopsis: 'PATH', summary: 'Disable an auth method (revoking its tokens)', run: disable },
  list: { synopsis: '[-detailed]', summary: 'List enabled auth methods', run: list },
  tune: { synopsis: '[-description=S] [-default-lease-ttl=D] [-max-lease-ttl=D] [-token-type=T] PATH', summary: 'Change an auth method\'s settings', run: tune },
  move: { synopsis: 'SOURCE DESTINATION', summary: 'Move an auth method to a new path', run: move },
};

/** `lockbox auth <subcommand>`. */
export function authCommand(ctx: Context): Promise<number> {
  return dispatch('auth', ctx, subcommands);
}
