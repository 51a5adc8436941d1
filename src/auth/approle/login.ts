// auth/approle/login: role_id (and secret_id unless the role does not bind one) in, a login
// grant out; core makes the token. Every way a login can be wrong answers the same text.
import { renewalOf } from '../../core/tokens/params.js';
import { BadRequest, InvalidCredentials } from '../../util/errors.js';
import { definePath, field } from '../../core/path.js';
import { cidrsAllow } from '../../core/tokens/cidr-rules.js';
import type { LoginContext } from '../../core/backend.js';
import { getRole, roleByRoleId } from './role-store.js';
import { claimSecretId } from './secret-store.js';

const INVALID = 'invalid role or secret ID';

export const loginPath = definePath({
  pattern: 'login', summary: 'Log in with a role-id and a secret-id.', unauthenticated: true,
  fields: {
    role_id: field.string({ description: 'The role-id.' }),
    secret_id: field.string({ description: 'The secret-id.', sensitive: true }),
  },
  operations: {
    update: async (ctx) => {
      // Vault trims both: a role-id or secret-id read from a file or a Kubernetes secret often ends in a newline.
      const roleId = ctx.fields.role_id.trim();
      const secretId = ctx.fields.secret_id.trim();
      if (roleId === '') throw new BadRequest('missing role_id');
      const role = await roleByRoleId(ctx, roleId);
      if (!role) throw new BadRequest(INVALID);
      const address = ctx.request.remoteAddress;
      let metadata: Record<string, string> = {};
      let tokenCidrs: string[] = [];
      if (role.bind_secret_id && secretId === '') throw new BadRequest('missing secret_id');
      // The role's CIDR binding is checked before a use of the secret-id is spent.
      if (!cidrsAllow(role.secret_id_bound_cidrs, address)) {
        throw new BadRequest(`source address ${JSON.stringify(address)} unauthorized through CIDR restrictions on the role`);
      }
      if (role.bind_secret_id) {
        const claimed = await claimSecretId(ctx, role.name, secretId, ctx.clock.now());
        // Only an unknown secret-id counts towards lockout, as in Vault.
        if (claimed === 'unknown') throw new InvalidCredentials(INVALID);
        if (claimed === 'expired') throw new BadRequest(INVALID);
        if (!cidrsAllow(claimed.cidr_list, address)) {
          throw new BadRequest(`source address ${JSON.stringify(address)} unauthorized through CIDR restrictions on the secret ID`);
        }
        metadata = claimed.metadata;
        tokenCidrs = claimed.token_bound_cidrs;
      }
      // Vault: the entity alias is the role_id, with the token's metadata as alias metadata.
      const tokenMetadata = { ...metadata, role_name: role.name };
      return {
        login: {
          params: role.token, metadata: tokenMetadata, aliasMetadata: tokenMetadata, displayName: '', alias: roleId,
          internal: { role_name: role.name }, ...(tokenCidrs.length > 0 ? { boundCidrs: tokenCidrs } : {}),
        },
      };
    },
  },
});

/**
 * Vault re-reads the role on renewal: a deleted one refuses it; otherwise its current TTLs
 * apply. Changed policies do not refuse it (unlike userpass): the token keeps the ones it has.
 */
export async function renewLogin(login: LoginContext): Promise<{ ttl: number; maxTtl: number; period: number }> {
  const name = String(login.internal.role_name ?? '');
  const role = name === '' ? undefined : await getRole(login, name);
  if (!role) throw new BadRequest(`role ${JSON.stringify(name)} does not exist during renewal`);
  return renewalOf(role.token);
}
