// The JWT auth method (mount types jwt and oidc): a workload logs in with a signed JWT that
// a role's bindings admit, or a person through the OIDC browser flow (oidc.ts). Keys come from
// the mount's config (static PEMs, JWKS, discovery).
import { renewalOf } from '../../core/tokens/params.js';
import { BadRequest } from '../../util/errors.js';
import { defineBackend, type LoginContext } from '../../core/backend.js';
import { definePath, field } from '../../core/path.js';
import { ClaimsError, validateStandard } from './claims.js';
import { checkLoginAddress, grantFromClaims } from './grant.js';
import { configPath, getConfig, keySource } from './config.js';
import { SignatureError, verifierFor } from './keys.js';
import { getRole, rolePaths } from './roles.js';
import { oidcPaths } from './oidc.js';

const loginPath = definePath({
  pattern: 'login', summary: 'Log in with a signed JWT.', unauthenticated: true,
  fields: {
    role: field.string({ description: 'The role; the config\'s default_role when empty.' }),
    jwt: field.string({ description: 'The signed JWT.', sensitive: true }),
  },
  operations: {
    update: async (ctx) => {
      const config = await getConfig(ctx.storage);
      const roleName = ctx.fields.role !== '' ? ctx.fields.role : config?.default_role ?? '';
      if (roleName === '') throw new BadRequest('missing role');
      const role = await getRole(ctx.storage, roleName);
      if (!role) throw new BadRequest(`role "${roleName}" could not be found`);
      if ((role.role_type as string) === 'oidc') throw new BadRequest('role with oidc role_type is not allowed');
      if (ctx.fields.jwt === '') throw new BadRequest('missing token');
      checkLoginAddress(role, ctx.request.remoteAddress);
      if (!config) throw new BadRequest('could not load configuration');
      let claims: Record<string, unknown>;
      try {
        const payload = await verifierFor(ctx.mount.uuid, keySource(config), config.jwt_supported_algs).verify(ctx.fields.jwt);
        claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
        if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new ClaimsError('token payload is not a JSON object');
        validateStandard(claims, role, config.bound_issuer, ctx.clock.now());
      } catch (err) {
        if (err instanceof SignatureError) throw new BadRequest(`error validating token: error verifying token signature: ${err.message}`);
        if (err instanceof ClaimsError) throw new BadRequest(`error validating token: ${err.message}`);
        if (err instanceof SyntaxError) throw new BadRequest('error validating token: token payload is not JSON');
        throw err;
      }
      if (role.bound_audiences.length === 0 && claims.aud !== undefined && !(Array.isArray(claims.aud) && claims.aud.length === 0)) {
        throw new BadRequest('audience claim found in JWT but no audiences bound to the role');
      }
      return grantFromClaims(claims, role, roleName);
    },
  },
});

/**
 * Vault re-reads the role on renewal: a deleted one refuses it; otherwise its current TTLs
 * apply. Changed policies do not refuse it (unlike userpass): the token keeps the ones it has.
 */
async function renewLogin(login: LoginContext): Promise<{ ttl: number; maxTtl: number; period: number }> {
  const name = String(login.internal.role ?? '');
  const role = name === '' ? undefined : await getRole(login.storage, name);
  if (!role) throw new BadRequest(`role ${name} does not exist during renewal`);
  return renewalOf(role.token);
}

export const jwtBackend = defineBackend({
  type: 'jwt',
  summary: 'The JWT auth method: log in with a JWT signed by a trusted issuer.',
  paths: [configPath, ...rolePaths(), loginPath, ...oidcPaths],
  renewLogin,
});
