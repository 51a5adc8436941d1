// The userpass auth method: people log in with a username and a password.
import { BadRequest, InvalidCredentials, PermissionDenied } from '../../util/errors.js';
import { cidrsAllow } from '../../core/tokens/cidr-rules.js';
import { defineBackend, type LoginContext } from '../../core/backend.js';
import { definePath, field } from '../../core/path.js';
import { renewalOf, samePolicies } from '../../core/tokens/params.js';
import { checkPassword } from './password.js';
import { getUser, userPaths } from './users.js';

const INVALID = 'invalid username or password';

const loginPath = definePath({
  pattern: 'login/:username', summary: 'Log in with a username and password.', unauthenticated: true,
  fields: {
    username: field.name({ description: 'The username.' }),
    password: field.string({ description: 'The password.', sensitive: true }),
  },
  operations: {
    update: async (ctx) => {
      const name = ctx.fields.username.toLowerCase();
      // Vault's text; an empty password is no attempt at one, so it does not count towards lockout.
      if (ctx.fields.password === '') throw new BadRequest('missing password');
      const user = await getUser(ctx.storage, name);
      // An unknown user costs one scrypt too, so timing tells no one which users exist.
      const ok = await checkPassword(ctx.fields.password, user?.password);
      if (!user) throw new BadRequest(INVALID);
      if (!ok) throw new InvalidCredentials(INVALID);
      // Vault refuses the login itself from outside token_bound_cidrs, after the password check.
      if (!cidrsAllow(user.token.token_bound_cidrs, ctx.request.remoteAddress)) throw new PermissionDenied();
      return {
        login: { params: user.token, metadata: { username: name }, displayName: name, alias: name, internal: { username: name } },
      };
    },
  },
});

/** Vault re-checks the user on renewal: gone, or its policies changed, means no renewal. */
async function renewLogin(login: LoginContext): Promise<{ ttl: number; maxTtl: number; period: number }> {
  const name = String(login.internal.username ?? '');
  const user = name === '' ? undefined : await getUser(login.storage, name);
  if (!user) throw new BadRequest('user no longer exists');
  if (!samePolicies(user.token.token_policies, login.policies)) throw new BadRequest('policies have changed, not renewing');
  return renewalOf(user.token);
}

export const userpassBackend = defineBackend({
  type: 'userpass',
  summary: 'The userpass auth method: log in with a username and password.',
  paths: [...userPaths(), loginPath],
  renewLogin,
  loginAlias: (path) => (path.startsWith('login/') && path.length > 'login/'.length ? path.slice('login/'.length).toLowerCase() : undefined),
});
