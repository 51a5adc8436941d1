// The OIDC authorization-code flow (both paths unauthenticated): `oidc/auth_url` starts a browser
// login, `oidc/callback` finishes it. Texts are Vault's; the UI matches the "Vault login failed." prefix.
import { BadRequest } from '../../util/errors.js';
import { silentLogger } from '../../core/log.js';
import { definePath, field } from '../../core/path.js';
import { getConfig, type JwtConfig } from './config.js';
import { checkLoginAddress, grantFromClaims } from './grant.js';
import { authorizationUrl, claimsForCode, ExchangeError, validRedirect } from './oidc-provider.js';
import { createState, takeState } from './oidc-state.js';
import { getRole } from './roles.js';

const FAILED = 'Vault login failed.';

/** Configured for the browser flow: a client and a discovery document with an authorization endpoint. */
const oidcReady = (c: JwtConfig) => (c.oidc_client_id ?? '') !== '' && c.discovered !== undefined && c.discovered.authorization_endpoint !== '';

const authUrlPath = definePath({
  pattern: 'oidc/auth_url', summary: 'Request an authorization URL to start an OIDC login flow.', unauthenticated: true,
  fields: {
    role: field.string({ description: 'The role; the config\'s default_role when empty.' }),
    redirect_uri: field.string({ description: 'The redirect_uri the provider sends the browser back to.' }),
    client_nonce: field.string({ description: 'Optional nonce the callback must repeat.', sensitive: true }),
  },
  operations: {
    update: async (ctx) => {
      const config = await getConfig(ctx.storage);
      if (!config) throw new BadRequest('could not load configuration');
      if (!oidcReady(config)) throw new BadRequest('OIDC login is not configured for this mount');
      const roleName = (ctx.fields.role !== '' ? ctx.fields.role : config.default_role).toLowerCase();
      if (roleName === '') throw new BadRequest('missing role');
      const redirectUri = ctx.fields.redirect_uri;
      if (redirectUri === '') throw new BadRequest('missing redirect_uri');
      const role = await getRole(ctx.storage, roleName);
      if (!role) throw new BadRequest(`role ${JSON.stringify(roleName)} could not be found`);
      // Vault answers an empty URL, not an error, so the endpoint tells an outsider nothing.
      if (!validRedirect(redirectUri, role.allowed_redirect_uris ?? [])) {
        (ctx.log ?? silentLogger).warn('unauthorized redirect_uri', { redirect_uri: redirectUri, mount: ctx.mount.path });
        return { data: { auth_url: '' } };
      }
      const { id, state } = createState(ctx.mount.uuid, { role: roleName, redirectUri, clientNonce: ctx.fields.client_nonce }, ctx.clock.now());
      return { data: { auth_url: authorizationUrl(config.discovered!, config.oidc_client_id, role, id, state) } };
    },
  },
});

const callbackPath = definePath({
  pattern: 'oidc/callback', summary: 'Callback endpoint to complete an OIDC login.', unauthenticated: true,
  fields: {
    state: field.string({ description: 'The OAuth state from auth_url.', sensitive: true }),
    code: field.string({ description: 'The authorization code.', sensitive: true }),
    client_nonce: field.string({ description: 'The client_nonce given to auth_url, if any.', sensitive: true }),
  },
  operations: {
    read: async (ctx) => {
      const log = ctx.log ?? silentLogger;
      const config = await getConfig(ctx.storage);
      if (!config) throw new BadRequest(`${FAILED} Could not load configuration`);
      const state = takeState(ctx.mount.uuid, ctx.fields.state, ctx.clock.now());
      if (!state) throw new BadRequest(`${FAILED} Expired or missing OAuth state.`);
      // A client_nonce given to auth_url must come back unchanged; one that was not given is not checked.
      if (state.clientNonce !== '' && ctx.fields.client_nonce !== state.clientNonce) throw new BadRequest('invalid client_nonce');
      const role = await getRole(ctx.storage, state.role);
      if (!role) throw new BadRequest(`${FAILED} Role could not be found`);
      checkLoginAddress(role, ctx.request.remoteAddress);
      if (!oidcReady(config)) throw new BadRequest(`${FAILED} Could not load configuration`);
      if (ctx.fields.code === '') throw new BadRequest(`${FAILED} No code or id_token received.`);
      let claims: Record<string, unknown>;
      try {
        claims = await claimsForCode({
          mountUuid: ctx.mount.uuid, config, discovered: config.discovered!, role, state, code: ctx.fields.code, now: ctx.clock.now(), log,
        });
      } catch (err) {
        if (err instanceof ExchangeError) throw new BadRequest(`${FAILED} Error exchanging oidc code: ${JSON.stringify(err.message)}.`);
        throw err;
      }
      if (role.bound_subject !== '' && claims.sub !== role.bound_subject) throw new BadRequest('sub claim does not match bound subject');
      return grantFromClaims(claims, role, state.role);
    },
  },
});

export const oidcPaths = [authUrlPath, callbackPath];
