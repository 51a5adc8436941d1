// Where a mount's signing keys come from (static PEMs, a JWKS URL, or a discovery document's
// JWKS) and the signature check against them. jose does the verification and the JWKS caching;
// one key set is built per mount config and rebuilt when the config changes.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import { compactVerify, createRemoteJWKSet, customFetch, errors as joseErrors } from 'jose';
import { BadRequest } from '../../util/errors.js';

/** Vault's default when jwt_supported_algs is empty: RS256 only. */
export const DEFAULT_ALGS = ['RS256'];

/** A key source as stored in the mount's config. */
export type KeySource = { kind: 'static'; pems: string[] } | { kind: 'jwks'; url: string; caPem: string };

/** Unknown-kid refetches of one JWKS are at most one per this many ms (jose's cooldown). */
export const JWKS_COOLDOWN_MS = 30_000;

/** A fetch that trusts only `caPem` (jose's custom-fetch hook); the default fetch when none. */
export function fetchWithCa(caPem: string): typeof fetch | undefined {
  if (caPem === '') return undefined;
  const agent = new https.Agent({ ca: caPem });
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    return await new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method: init?.method ?? 'GET', agent, headers: init?.headers as Record<string, string> }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: res.headers as Record<string, string> })));
        res.on('error', reject);
      });
      req.on('error', reject);
      init?.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      req.end();
    });
  }) as typeof fetch;
}

/** Reads a PEM public key or certificate with node:crypto; throws Vault's text when it is neither. */
export function parsePublicPem(pem: string): KeyObject {
  try {
    if (pem.includes('CERTIFICATE')) return new X509Certificate(pem).publicKey;
    return createPublicKey(pem);
  } catch {
    throw new BadRequest('error parsing public key');
  }
}

/** Thrown when no key verifies the token; the message is Vault's inner text. */
export class SignatureError extends Error {}

/** A mount's verifier: built once per config, so the JWKS cache survives between logins. */
export class Verifier {
  readonly #source: KeySource;
  readonly #algs: string[];
  readonly #static: KeyObject[] = [];
  readonly #jwks?: ReturnType<typeof createRemoteJWKSet>;
  constructor(source: KeySource, algs: string[]) {
    this.#source = source;
    this.#algs = algs.length > 0 ? algs : DEFAULT_ALGS;
    if (source.kind === 'static') this.#static = source.pems.map(parsePublicPem);
    else {
      const f = fetchWithCa(source.caPem);
      this.#jwks = createRemoteJWKSet(new URL(source.url), { cooldownDuration: JWKS_COOLDOWN_MS, ...(f ? { [customFetch]: f } : {}) });
    }
  }

  #lastReload = 0;
  #reloading?: Promise<void>;

  /** Reloads the JWKS unless it was reloaded within the cooldown; true when a reload ran (or is running). */
  async #reloadOnce(): Promise<boolean> {
    if (this.#reloading) { await this.#reloading; return true; }
    if (Date.now() - this.#lastReload < JWKS_COOLDOWN_MS) return false;
    this.#lastReload = Date.now();
    this.#reloading = this.#jwks!.reload().finally(() => { this.#reloading = undefined; });
    await this.#reloading;
    return true;
  }

  /** Verifies the compact JWS and returns its payload bytes; `alg: none` never verifies. */
  async verify(jwt: string): Promise<Uint8Array> {
    const options = { algorithms: this.#algs };
    if (this.#source.kind === 'static') {
      for (const key of this.#static) {
        try {
          return (await compactVerify(jwt, key, options)).payload;
        } catch {
          // try the next key
        }
      }
      throw new SignatureError('no known key successfully validated the token signature');
    }
    try {
      try {
        return (await compactVerify(jwt, this.#jwks!, options)).payload;
      } catch (err) {
        // An unknown kid: the provider rotated. One reload, shared by concurrent logins and
        // at most one per cooldown, then one more try.
        if (!(err instanceof joseErrors.JWKSNoMatchingKey) || !(await this.#reloadOnce())) throw err;
        return (await compactVerify(jwt, this.#jwks!, options)).payload;
      }
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || (err instanceof TypeError && !(err instanceof joseErrors.JOSEError))) {
        throw new SignatureError(`failed to verify id token signature: fetching keys failed`);
      }
      throw new SignatureError('failed to verify id token signature');
    }
  }
}

/** Verifiers by mount uuid, rebuilt when that mount's config changes (keyed by its JSON). */
const verifiers = new Map<string, { key: string; verifier: Verifier }>();

export function verifierFor(mountUuid: string, source: KeySource, algs: string[]): Verifier {
  const key = JSON.stringify([source, algs]);
  const hit = verifiers.get(mountUuid);
  if (hit && hit.key === key) return hit.verifier;
  const verifier = new Verifier(source, algs);
  verifiers.set(mountUuid, { key, verifier });
  return verifier;
}
