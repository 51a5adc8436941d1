// auth/<mount>/config: where the Kubernetes API is, how Lockbox authenticates to it, and the
// keys that verify service-account JWTs. A write replaces the whole config, as in Vault.
import { X509Certificate } from 'node:crypto';
import { BadRequest } from '../../util/errors.js';
import { definePath, field } from '../../core/path.js';
import type { Storage } from '../../storage/storage.js';
import { localCaCert, localToken, LocalFileError } from './local-files.js';
import { parseVerificationKey } from './token.js';
import { ServerError } from './errors.js';

/** The stored config. */
export type KubeConfig = {
  kubernetes_host: string;
  kubernetes_ca_cert: string;
  token_reviewer_jwt: string;
  pem_keys: string[];
  issuer: string;
  disable_iss_validation: boolean;
  disable_local_ca_jwt: boolean;
  use_annotations_as_alias_metadata: boolean;
};

/** What a login works with: the stored config with the pod's own token and CA filled in. */
export type EffectiveConfig = KubeConfig & {
  /** The bearer for TokenReview and look-ups ('' means the login JWT itself). */
  reviewerJwt: string;
  /** The CA bundle trusted for the API ('' means the system's roots). */
  caPem: string;
  /** Why the local token could not be read, for the debug log. */
  localTokenProblem?: string;
};

const KEY = 'config';

export async function getConfig(storage: Storage): Promise<KubeConfig | undefined> {
  const raw = await storage.get(KEY);
  return raw ? (JSON.parse(raw.toString('utf8')) as KubeConfig) : undefined;
}

/** The CA a config trusts: its own, else the pod's (unless disabled), else none. */
async function caFor(c: KubeConfig, now: number): Promise<string> {
  if (c.kubernetes_ca_cert !== '' || c.disable_local_ca_jwt) return c.kubernetes_ca_cert;
  return await localCaCert(now);
}

/**
 * Vault's loadConfig: without a reviewer JWT the pod's token is used (a read failure only means
 * the login JWT is sent instead); without a CA the pod's CA, whose absence is an error.
 */
export async function loadConfig(storage: Storage, now: number): Promise<EffectiveConfig | undefined> {
  const c = await getConfig(storage);
  if (!c) return undefined;
  let reviewerJwt = c.token_reviewer_jwt;
  let localTokenProblem: string | undefined;
  if (reviewerJwt === '' && !c.disable_local_ca_jwt) {
    try {
      reviewerJwt = await localToken(now);
    } catch (err) {
      if (!(err instanceof LocalFileError)) throw err;
      localTokenProblem = err.message;
    }
  }
  try {
    return { ...c, reviewerJwt, caPem: await caFor(c, now), localTokenProblem };
  } catch (err) {
    if (err instanceof LocalFileError) throw new ServerError(err.message);
    throw err;
  }
}

/** Vault's check: at least one PEM certificate in the bundle. */
function hasCertificate(bundle: string): boolean {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.some((pem) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  });
}

const fields = {
  kubernetes_host: field.string({ description: 'Host, host:port, or URL of the Kubernetes API server.' }),
  kubernetes_ca_cert: field.string({ description: 'PEM CA certificate(s) trusted for the API (default: the pod\'s).' }),
  token_reviewer_jwt: field.string({ description: 'Bearer JWT for the TokenReview API (default: the pod\'s, else the login JWT).', sensitive: true }),
  pem_keys: field.strings({ description: 'PEM public keys or certificates verifying service-account JWTs.' }),
  issuer: field.string({ description: 'The iss tokens must carry when issuer validation is on (default kubernetes/serviceaccount).' }),
  disable_iss_validation: field.bool({ description: 'Skip the iss check (default true).', default: true }),
  disable_local_ca_jwt: field.bool({ description: 'Never fall back to the pod\'s own CA and token.' }),
  use_annotations_as_alias_metadata: field.bool({ description: 'Add vault.hashicorp.com/alias-metadata-* annotations of the service account to the alias metadata.' }),
};

export const configPath = definePath({
  pattern: 'config', summary: 'Configure the Kubernetes auth method.', fields,
  operations: {
    read: async (ctx) => {
      const c = await getConfig(ctx.storage);
      if (!c) return undefined;
      const { token_reviewer_jwt: reviewer, ...shown } = c;
      return { data: { ...shown, token_reviewer_jwt_set: reviewer !== '' } };
    },
    update: async (ctx) => {
      const v = ctx.fields;
      if (v.kubernetes_host === '') throw new BadRequest('no host provided');
      if (v.kubernetes_ca_cert !== '' && !hasCertificate(v.kubernetes_ca_cert)) {
        throw new BadRequest('The provided CA PEM data contains no valid certificates');
      }
      for (const pem of v.pem_keys) parseVerificationKey(pem);
      const config: KubeConfig = {
        kubernetes_host: v.kubernetes_host, kubernetes_ca_cert: v.kubernetes_ca_cert, token_reviewer_jwt: v.token_reviewer_jwt,
        pem_keys: v.pem_keys, issuer: v.issuer, disable_iss_validation: v.disable_iss_validation,
        disable_local_ca_jwt: v.disable_local_ca_jwt, use_annotations_as_alias_metadata: v.use_annotations_as_alias_metadata,
      };
      // Vault builds the TLS settings on write: without a CA of its own the pod's must be readable.
      try {
        await caFor(config, ctx.clock.now());
      } catch (err) {
        if (err instanceof LocalFileError) throw new BadRequest(err.message);
        throw err;
      }
      await ctx.storage.put(KEY, Buffer.from(JSON.stringify(config)));
    },
  },
});
