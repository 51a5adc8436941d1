// auth/<mount>/config: where the signing keys come from and what every token must say.
import { BadRequest } from '../../util/errors.js';
import { definePath, field } from '../../core/path.js';
import type { Storage } from '../../storage/storage.js';
import { fetchWithCa, parsePublicPem, type KeySource } from './keys.js';

/** The stored config. */
export type JwtConfig = {
  oidc_discovery_url: string;
  oidc_discovery_ca_pem: string;
  /** The discovery document's jwks_uri, read when the config was written. */
  discovered_jwks_uri: string;
  jwks_url: string;
  jwks_ca_pem: string;
  jwt_validation_pubkeys: string[];
  bound_issuer: string;
  jwt_supported_algs: string[];
  default_role: string;
  /** The OIDC client (browser flow); the secret is never read back. */
  oidc_client_id: string;
  oidc_client_secret: string;
  oidc_response_mode: string;
  oidc_response_types: string[];
  /** Where a namespace would travel in the OIDC state; absent on older configs (true). */
  namespace_in_state?: boolean;
  /** The discovery document's endpoints, read when the config was written ('' when absent). */
  discovered?: Discovered;
};

/** What the browser flow needs from the discovery document. */
export type Discovered = { issuer: string; authorization_endpoint: string; token_endpoint: string; userinfo_endpoint: string };

const KEY = 'config';

export async function getConfig(storage: Storage): Promise<JwtConfig | undefined> {
  const raw = await storage.get(KEY);
  return raw ? (JSON.parse(raw.toString('utf8')) as JwtConfig) : undefined;
}

/** The key source a config names. */
export function keySource(c: JwtConfig): KeySource {
  if (c.jwt_validation_pubkeys.length > 0) return { kind: 'static', pems: c.jwt_validation_pubkeys };
  if (c.jwks_url !== '') return { kind: 'jwks', url: c.jwks_url, caPem: c.jwks_ca_pem };
  return { kind: 'jwks', url: c.discovered_jwks_uri, caPem: c.oidc_discovery_ca_pem };
}

/** Fetches `<url>/.well-known/openid-configuration`; its issuer must be the URL itself. */
async function discover(url: string, caPem: string): Promise<{ jwksUri: string; endpoints: Discovered }> {
  const f = fetchWithCa(caPem) ?? fetch;
  try {
    const res = await f(`${url.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    const doc = (await res.json()) as Record<string, unknown>;
    if (doc.issuer !== url) throw new Error(`issuer did not match: expected ${url} got ${String(doc.issuer)}`);
    if (typeof doc.jwks_uri !== 'string' || doc.jwks_uri === '') throw new Error('no jwks_uri in the discovery document');
    const str = (k: string) => (typeof doc[k] === 'string' ? (doc[k] as string) : '');
    return {
      jwksUri: doc.jwks_uri,
      endpoints: { issuer: url, authorization_endpoint: str('authorization_endpoint'), token_endpoint: str('token_endpoint'), userinfo_endpoint: str('userinfo_endpoint') },
    };
  } catch (err) {
    throw new BadRequest(`error checking oidc discovery URL: ${(err as Error).message}`);
  }
}

// Provider-specific settings (Azure, Google groups) are not built: refused, never ignored.
const UNSUPPORTED = ['provider_config'] as const;

const fields = {
  oidc_discovery_url: field.string({ description: 'OIDC discovery URL; its JWKS verifies tokens.' }),
  oidc_discovery_ca_pem: field.string({ description: 'CA certificate(s) (PEM) trusted for the discovery URL.' }),
  jwks_url: field.string({ description: 'JWKS URL verifying tokens.' }),
  jwks_ca_pem: field.string({ description: 'CA certificate(s) (PEM) trusted for the JWKS URL.' }),
  jwt_validation_pubkeys: field.strings({ description: 'PEM public keys or certificates verifying tokens.' }),
  bound_issuer: field.string({ description: 'The iss every token must carry.' }),
  jwt_supported_algs: field.strings({ description: 'Accepted signing algorithms (default RS256).' }),
  default_role: field.string({ description: 'Role used when a login names none.' }),
  oidc_client_id: field.string({ description: 'The OAuth client id (OIDC browser flow).' }),
  oidc_client_secret: field.string({ description: 'The OAuth client secret; never read back.', sensitive: true }),
  oidc_response_mode: field.string({ description: "How the provider answers: 'query' (the default; 'form_post' is not supported)." }),
  oidc_response_types: field.strings({ description: "Response types: 'code' (the default; 'id_token' is not supported)." }),
  // Lockbox serves only the root namespace, for which Vault puts no namespace anywhere whichever
  // the value: both are taken and read back (Terraform sends back the `true` it read).
  namespace_in_state: field.bool({ description: 'Put the namespace in the OIDC state (no effect: only the root namespace exists).', default: true }),
  ...Object.fromEntries(UNSUPPORTED.map((n) => [n, field.any({ description: 'Not supported.' })])),
};

const ALGS = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519']);

export const configPath = definePath({
  pattern: 'config', summary: 'Configure the JWT auth method.', fields,
  operations: {
    read: async (ctx) => {
      const c = await getConfig(ctx.storage);
      if (!c) return undefined;
      const { discovered_jwks_uri: _d, ...shown } = c;
      const { discovered: _e, oidc_client_secret: _s, ...rest } = shown;
      return { data: { ...rest, provider_config: {}, namespace_in_state: c.namespace_in_state ?? true } };
    },
    update: async (ctx) => {
      const v = ctx.fields as Record<string, unknown> & typeof ctx.fields;
      const refused = UNSUPPORTED.filter((n) => ctx.sent.has(n) && v[n] !== '' && !(typeof v[n] === 'object' && v[n] !== null && Object.keys(v[n] as object).length === 0));
      if (refused.length > 0) throw new BadRequest(`unsupported: ${refused.join(', ')}`);
      const mode = v.oidc_response_mode === '' ? 'query' : v.oidc_response_mode;
      if (mode === 'form_post') throw new BadRequest("unsupported oidc_response_mode: 'form_post' (only 'query' is supported)");
      if (mode !== 'query') throw new BadRequest(`invalid response_mode: ${JSON.stringify(mode)}`);
      const types = v.oidc_response_types.length === 0 ? ['code'] : v.oidc_response_types;
      for (const t of types) {
        if (t === 'id_token') throw new BadRequest("unsupported oidc_response_types: 'id_token' (only 'code' is supported)");
        if (t !== 'code') throw new BadRequest(`invalid response_types ${JSON.stringify(t)}. 'code' and 'id_token' are allowed`);
      }
      const sources = [v.jwt_validation_pubkeys.length > 0, v.jwks_url !== '', v.oidc_discovery_url !== ''].filter(Boolean).length;
      if (sources !== 1) throw new BadRequest("exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set");
      if ((v.oidc_client_id === '') !== (v.oidc_client_secret === '')) throw new BadRequest("both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC");
      if (v.oidc_client_id !== '' && v.oidc_discovery_url === '') throw new BadRequest("'oidc_discovery_url' must be set for OIDC");
      for (const alg of v.jwt_supported_algs) if (!ALGS.has(alg)) throw new BadRequest(`invalid jwt_supported_algs: ${alg}`);
      for (const pem of v.jwt_validation_pubkeys) parsePublicPem(pem);
      for (const ca of [v.jwks_ca_pem, v.oidc_discovery_ca_pem]) if (ca !== '' && !ca.includes('BEGIN CERTIFICATE')) throw new BadRequest('could not parse CA PEM value successfully');
      const found = v.oidc_discovery_url !== '' ? await discover(v.oidc_discovery_url, v.oidc_discovery_ca_pem) : undefined;
      const config: JwtConfig = {
        oidc_discovery_url: v.oidc_discovery_url, oidc_discovery_ca_pem: v.oidc_discovery_ca_pem, discovered_jwks_uri: found?.jwksUri ?? '',
        jwks_url: v.jwks_url, jwks_ca_pem: v.jwks_ca_pem, jwt_validation_pubkeys: v.jwt_validation_pubkeys,
        bound_issuer: v.bound_issuer, jwt_supported_algs: v.jwt_supported_algs, default_role: v.default_role,
        oidc_client_id: v.oidc_client_id, oidc_client_secret: v.oidc_client_secret, oidc_response_mode: mode, oidc_response_types: types,
        namespace_in_state: v.namespace_in_state,
        ...(found ? { discovered: found.endpoints } : {}),
      };
      await ctx.storage.put(KEY, Buffer.from(JSON.stringify(config)));
    },
  },
});
