// `lockbox auth`: enable, disable, list, tune and move auth methods over sys/auth.
import { attempt, ensureTrailingSlash, expectArgs, type Context, type Group, type Subcommand } from './command.js';
import { apiFlags, bool } from './flags.js';
import { out } from './output.js';
import { ENABLE_FLAGS, enableBody, moveMount, printMounts, TUNE_ONLY_FLAGS, tuneBody } from './secrets.js';

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

/** The kv shorthand -version has no meaning for an auth method. */
const withoutVersion = (flags: typeof ENABLE_FLAGS) => flags.filter((f) => f.name !== 'version');

const subcommands: Record<string, Subcommand> = {
  enable: {
    synopsis: '[options] TYPE', summary: 'Enables a new auth method', run: enable,
    description: 'Mounts an auth method of the given type. Its path is the type\'s name unless -path says another.',
    examples: ['auth enable userpass', 'auth enable -path=ci -description="build machines" approle'],
    flags: apiFlags(withoutVersion(ENABLE_FLAGS), 'none'),
  },
  disable: {
    synopsis: '[options] PATH', summary: 'Disables an auth method', run: disable,
    description: 'Unmounts the auth method at PATH and revokes every token it issued.',
    examples: ['auth disable userpass/'],
    flags: apiFlags([], 'none'),
  },
  list: {
    synopsis: '[options]', summary: 'Lists enabled auth methods', run: list,
    description: 'Lists the mounted auth methods.',
    examples: ['auth list -detailed'],
    flags: apiFlags([bool('detailed', 'Show every property of each mount.')]),
  },
  tune: {
    synopsis: '[options] PATH', summary: 'Tunes an auth method configuration', run: tune,
    description: 'Changes the settings of the auth method at PATH; settings not given keep their values.',
    examples: ['auth tune -default-lease-ttl=72h github/'],
    flags: apiFlags(withoutVersion(TUNE_ONLY_FLAGS), 'none'),
  },
  move: {
    synopsis: '[options] SOURCE DESTINATION', summary: 'Move an auth method to a new path', run: move,
    description: 'Moves the auth method at SOURCE to DESTINATION; tokens it issued are revoked.',
    examples: ['auth move approle/ ci/'],
    flags: apiFlags([], 'none'),
  },
};

/** `lockbox auth <subcommand>`. */
export const authCommand: Group = {
  summary: 'Interact with auth methods',
  description: 'Enables, disables, lists, tunes and moves auth methods.',
  subcommands,
};
