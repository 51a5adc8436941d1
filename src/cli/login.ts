// `lockbox login`: authenticate and keep the token in the token helper file (~/.lockbox-token),
// which later commands read when no LOCKBOX_TOKEN / VAULT_TOKEN is set.
import { chmodSync, writeFileSync } from 'node:fs';
import { tokenHelperPath } from './client.js';
import { asObject, type Json } from './json.js';
import { attempt, expectArgs, parseData, sanitizePath, secretInput, type Context, type Subcommand } from './command.js';
import { UsageError } from './errors.js';
import { apiFlags, bool, str } from './flags.js';
import { err, out, printField, printSecret } from './output.js';
import { oidcLogin } from './login-oidc.js';

/** Methods whose login path ends in the user name, as Vault's CLI handlers build it. */
const USERNAME_IN_PATH = new Set(['userpass', 'ldap', 'okta', 'radius']);

/** A token login: the token is checked with lookup-self, then shown as an auth block. */
async function tokenLogin(ctx: Context): Promise<Json> {
  const [arg] = expectArgs(ctx.args, 0, 1);
  const token = await secretInput(arg, 'Token (will be hidden): ');
  if (token === '') throw new UsageError('no token given');
  const res = await attempt('authenticating', ctx.client().request('GET', 'auth/token/lookup-self', { token, wrap: false }));
  const data = asObject(res.body?.data) ?? {};
  return {
    request_id: res.body?.request_id,
    auth: {
      client_token: token, accessor: data.accessor, policies: data.policies, token_policies: data.policies,
      identity_policies: data.identity_policies ?? [], metadata: data.meta ?? null,
      lease_duration: data.ttl ?? 0, renewable: data.renewable ?? false,
    },
  };
}

/** Another method's login: POST auth/<path>/login[/<username>] with the key=value arguments. */
async function methodLogin(ctx: Context, method: string): Promise<Json> {
  const mount = sanitizePath(ctx.args.flag('path') ?? method);
  const data = await parseData(ctx.args.positional);
  let path = `auth/${mount}/login`;
  if (USERNAME_IN_PATH.has(method)) {
    const username = data.username;
    if (typeof username !== 'string' || username === '') throw new UsageError(`"username" is required for the ${method} method`);
    delete data.username;
    if (data.password === undefined && process.stdin.isTTY) data.password = await secretInput(undefined, 'Password (will be hidden): ');
    path += `/${username}`;
  }
  const secret = await attempt('authenticating', ctx.client().write(path, data, 'POST'));
  if (!asObject(secret?.auth)?.client_token) throw new UsageError('the server returned no token for this login');
  return secret ?? {};
}

/** `lockbox login [-method=M] [-path=P] [TOKEN | K=V...]`. */
export async function loginCommand(ctx: Context): Promise<number> {
  const method = ctx.args.flag('method') ?? 'token';
  const secret = method === 'token' ? await tokenLogin(ctx) : method === 'oidc' ? await oidcLogin(ctx) : await methodLogin(ctx, method);
  const auth = asObject(secret.auth) ?? {};
  const token = String(auth.client_token ?? '');
  if (!ctx.args.on('no-store')) {
    const file = tokenHelperPath();
    writeFileSync(file, token, { mode: 0o600 });
    chmodSync(file, 0o600); // an existing file keeps its old mode through writeFileSync
  }
  // An environment token wins over the stored one: say so, or the next command surprises.
  if (process.env.LOCKBOX_TOKEN || process.env.VAULT_TOKEN) {
    err('WARNING! LOCKBOX_TOKEN or VAULT_TOKEN is set in the environment. It takes precedence over\n'
      + 'the token just stored; unset it to use the new token.\n\n');
  }
  if (ctx.args.on('no-print')) return 0;
  if (ctx.args.on('token-only')) return printField('table', token, 'token');
  const field = ctx.args.flag('field');
  if (field !== undefined) {
    const value = field === 'token' ? token : field === 'token_accessor' ? auth.accessor : asObject(secret.data)?.[field];
    return printField(ctx.format, value, field);
  }
  if (ctx.format === 'table') {
    out(ctx.args.on('no-store')
      ? 'Success! You are authenticated. The token was not stored (-no-store); pass it yourself\n'
        + 'with LOCKBOX_TOKEN or VAULT_TOKEN.\n\n'
      : `Success! You are authenticated. The token below is stored in ${tokenHelperPath()}\n`
        + 'and later commands use it; there is no need to log in again until it expires.\n\n');
  }
  printSecret(ctx.format, secret);
  return 0;
}

/** `lockbox login`, declared. */
export const login: Subcommand = {
  synopsis: '[options] [AUTH K=V...]', summary: 'Authenticate locally', run: loginCommand,
  description: 'Authenticates with the given auth method and stores the token in the token helper file, which later '
    + 'commands read when no LOCKBOX_TOKEN or VAULT_TOKEN is set. Without -method the argument is a token (asked for '
    + 'without echo when missing).',
  examples: ['login', 'login -method=userpass username=alice', 'login -method=approle -path=ci role_id=… secret_id=…', 'login -method=oidc role=dev'],
  flags: apiFlags([
    str('method', 'The type of auth method: token, userpass, ldap, approle…', { default: 'token' }),
    str('path', 'Where the auth method is mounted, when not at its type\'s name.'),
    bool('no-store', 'Do not keep the token in the token helper file.'),
    bool('no-print', 'Print nothing on success (the token is still stored unless -no-store).'),
    bool('token-only', 'Print only the token; same as -field=token.'),
  ], 'field'),
};
