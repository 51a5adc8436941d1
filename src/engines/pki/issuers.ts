// Issuers and keys of one mount: references (id, name, `default`), import with de-duplication,
// and the CA chain built by matching AKI to SKI and checking each signature.
import { createHash, randomUUID, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import { x509 } from './x509.js';
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import { certPem, parseCertificate, type Signer } from './certs.js';
import { describeKey, forgetSigningKey, parsePrivateKey, privateKeyPem, spkiOf } from './keys.js';
import { getJson, listAll, putJson, type IssuerEntry, type KeyEntry } from './store.js';

/** Vault's config/issuers. */
export type IssuersConfig = { default: string; default_follows_latest_issuer: boolean };

export const DEFAULT_USAGE = ['read-only', 'issuing-certificates', 'crl-signing', 'ocsp-signing'];

export async function issuersConfig(storage: Storage): Promise<IssuersConfig> {
  return (await getJson<IssuersConfig>(storage, 'config/issuers')) ?? { default: '', default_follows_latest_issuer: false };
}

export async function keysConfig(storage: Storage): Promise<{ default: string }> {
  return (await getJson<{ default: string }>(storage, 'config/keys')) ?? { default: '' };
}

export async function allIssuers(storage: Storage): Promise<IssuerEntry[]> {
  const ids = await listAll(storage, 'issuer/');
  const entries = await Promise.all(ids.map((id) => getJson<IssuerEntry>(storage, `issuer/${id}`)));
  return entries.filter((e): e is IssuerEntry => e !== undefined);
}

export async function allKeys(storage: Storage): Promise<KeyEntry[]> {
  const ids = await listAll(storage, 'key/');
  const entries = await Promise.all(ids.map((id) => getJson<KeyEntry>(storage, `key/${id}`)));
  return entries.filter((e): e is KeyEntry => e !== undefined);
}

/** The issuer an id, a name or `default` refers to; undefined when none does. */
export async function findIssuer(storage: Storage, ref: string): Promise<IssuerEntry | undefined> {
  if (ref === '' || ref === 'default') {
    const id = (await issuersConfig(storage)).default;
    return id === '' ? undefined : getJson<IssuerEntry>(storage, `issuer/${id}`);
  }
  const byId = await getJson<IssuerEntry>(storage, `issuer/${ref}`);
  if (byId) return byId;
  return (await allIssuers(storage)).find((i) => i.name === ref);
}

/** Like findIssuer, but a missing issuer is the caller's mistake, in Vault's words. */
export async function resolveIssuer(storage: Storage, ref: string): Promise<IssuerEntry> {
  const found = await findIssuer(storage, ref);
  if (found) return found;
  if (ref === '' || ref === 'default') throw new BadRequest('no default issuer currently configured');
  throw new BadRequest(`unable to resolve issuer id for reference: ${ref}`);
}

export async function findKey(storage: Storage, ref: string): Promise<KeyEntry | undefined> {
  if (ref === '' || ref === 'default') {
    const id = (await keysConfig(storage)).default;
    return id === '' ? undefined : getJson<KeyEntry>(storage, `key/${id}`);
  }
  const byId = await getJson<KeyEntry>(storage, `key/${ref}`);
  if (byId) return byId;
  return (await allKeys(storage)).find((k) => k.name === ref);
}

export async function resolveKey(storage: Storage, ref: string): Promise<KeyEntry> {
  const found = await findKey(storage, ref);
  if (!found) throw new BadRequest(`unable to resolve key id for reference${ref}`);
  return found;
}

/** Names Vault reserves or already uses. */
export async function checkIssuerName(storage: Storage, name: string, selfId = ''): Promise<void> {
  if (name === '') return;
  if (name === 'default') throw new BadRequest("reserved keyword 'default' can not be used as issuer name");
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) throw new BadRequest('issuer name contained invalid characters');
  if ((await allIssuers(storage)).some((i) => i.name === name && i.id !== selfId)) throw new BadRequest('issuer name already in use');
}

export async function checkKeyName(storage: Storage, name: string, selfId = ''): Promise<void> {
  if (name === '') return;
  if (name === 'default') throw new BadRequest("reserved keyword 'default' can not be used as key name");
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) throw new BadRequest('new key name outside of valid character limits');
  if ((await allKeys(storage)).some((k) => k.name === name && k.id !== selfId)) throw new BadRequest('key name already in use');
}

// Parsed private keys by key id: parsing PEM on every issue would be wasted work.
const parsedKeys = new Map<string, KeyObject>();

export function keyObjectOf(entry: KeyEntry): KeyObject {
  let key = parsedKeys.get(entry.id);
  if (!key) {
    if (parsedKeys.size > 256) parsedKeys.clear();
    key = parsePrivateKey(entry.private_key);
    parsedKeys.set(entry.id, key);
  }
  return key;
}

/** Stores a key unless the same key is already here; answers its id and whether it existed. */
export async function importKey(storage: Storage, key: KeyObject, name: string): Promise<{ id: string; existing: boolean }> {
  const spki = spkiOf(key);
  const same = (await allKeys(storage)).find((k) => spkiOf(keyObjectOf(k)).equals(spki));
  if (same) return { id: same.id, existing: true };
  await checkKeyName(storage, name);
  const { type, bits } = describeKey(key);
  const entry: KeyEntry = { id: randomUUID(), name, type, bits, private_key: privateKeyPem(key, 'pkcs8') };
  await putJson(storage, `key/${entry.id}`, entry);
  const config = await keysConfig(storage);
  if (config.default === '') await putJson(storage, 'config/keys', { default: entry.id });
  return { id: entry.id, existing: false };
}

/** Deletes a key; answers whether it was the default key (Vault warns then). */
export async function deleteKeyEntry(storage: Storage, entry: KeyEntry): Promise<boolean> {
  await storage.delete(`key/${entry.id}`);
  parsedKeys.delete(entry.id);
  forgetSigningKey(entry.id);
  const config = await keysConfig(storage);
  if (config.default !== entry.id) return false;
  await putJson(storage, 'config/keys', { default: '' });
  return true;
}

/** The key among this mount's whose public half is the certificate's, if any. */
async function keyForCertificate(storage: Storage, cert: x509.X509Certificate): Promise<string> {
  const spki = Buffer.from(cert.publicKey.rawData);
  return (await allKeys(storage)).find((k) => spkiOf(keyObjectOf(k)).equals(spki))?.id ?? '';
}

/**
 * Stores an issuer certificate unless it is already here. Links it to its key when the mount
 * holds that key; the first issuer becomes the default (or the newest, when configured so).
 */
export async function importIssuer(storage: Storage, pem: string, name: string, id: string = randomUUID()): Promise<{ id: string; existing: boolean; keyId: string }> {
  const cert = parseCertificate(pem);
  const normalized = certPem(cert);
  const issuers = await allIssuers(storage);
  const same = issuers.find((i) => i.certificate === normalized);
  if (same) {
    // A key imported after its certificate links up now, as in Vault.
    if (same.key_id === '') {
      same.key_id = await keyForCertificate(storage, cert);
      if (same.key_id !== '') await putJson(storage, `issuer/${same.id}`, same);
    }
    return { id: same.id, existing: true, keyId: same.key_id };
  }
  await checkIssuerName(storage, name);
  const entry: IssuerEntry = {
    id, name, key_id: await keyForCertificate(storage, cert), certificate: normalized, manual_chain: [],
    leaf_not_after_behavior: 'err', usage: [...DEFAULT_USAGE], revocation_signature_algorithm: '',
    issuing_certificates: [], crl_distribution_points: [], ocsp_servers: [], enable_aia_url_templating: false,
    revoked: false, revocation_time: 0,
  };
  await putJson(storage, `issuer/${entry.id}`, entry);
  const config = await issuersConfig(storage);
  if (config.default === '' || config.default_follows_latest_issuer) {
    await putJson(storage, 'config/issuers', { ...config, default: entry.id });
  }
  return { id: entry.id, existing: false, keyId: entry.key_id };
}

// Parsed issuer certificates and built chains, by their inputs: every issue would otherwise
// parse the issuer with @peculiar/x509 and re-verify the chain's signatures.
const parsedIssuers = new Map<string, x509.X509Certificate>();
const chains = new Map<string, string[]>();
const remember = <T>(cache: Map<string, T>, key: string, value: T): T => {
  if (cache.size >= 256) cache.clear();
  cache.set(key, value);
  return value;
};

/** The issuer's certificate and key, ready to sign; refuses an issuer without a key. */
export async function signerOf(storage: Storage, issuer: IssuerEntry): Promise<Signer> {
  const cert = parsedIssuers.get(issuer.certificate) ?? remember(parsedIssuers, issuer.certificate, parseCertificate(issuer.certificate));
  return { cert, ...(await signingKeyOf(storage, issuer)) };
}

/** The issuer's key alone, for signers that need no parsed certificate (OCSP, a hot path). */
export async function signingKeyOf(storage: Storage, issuer: IssuerEntry): Promise<{ keyId: string; key: KeyObject }> {
  const key = issuer.key_id === '' ? undefined : await getJson<KeyEntry>(storage, `key/${issuer.key_id}`);
  if (!key) throw new BadRequest(`unable to fetch corresponding key for issuer ${issuer.id}; unable to use this issuer for signing`);
  return { keyId: key.id, key: keyObjectOf(key) };
}

/** Does `parent` issue `child`: names and key ids match and the signature checks. */
function issues(child: NodeCertificate, parent: NodeCertificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/**
 * The issuer's chain, itself first: the manual chain when one is set, else each parent found
 * among the mount's issuers until a self-signed root (or no known parent).
 */
export async function caChain(storage: Storage, issuer: IssuerEntry): Promise<string[]> {
  const issuers = await allIssuers(storage);
  if (issuer.manual_chain.length > 0) {
    return issuer.manual_chain.map((id) => issuers.find((i) => i.id === id)?.certificate).filter((c): c is string => c !== undefined);
  }
  // The chain depends only on this certificate and the set of the mount's issuer certificates.
  const hash = createHash('sha256').update(issuer.certificate);
  for (const pem of issuers.map((i) => i.certificate).sort()) hash.update('\0').update(pem);
  const key = hash.digest('hex');
  const known = chains.get(key);
  return [...(known ?? remember(chains, key, buildChain(issuer, issuers)))];
}

function buildChain(issuer: IssuerEntry, issuers: IssuerEntry[]): string[] {
  const parsed = issuers.map((i) => ({ pem: i.certificate, cert: new NodeCertificate(i.certificate) }));
  const chain = [issuer.certificate];
  let current = new NodeCertificate(issuer.certificate);
  while (chain.length <= issuers.length) {
    if (issues(current, current)) break; // self-signed: the root
    const parent = parsed.find((p) => !chain.includes(p.pem) && issues(current, p.cert));
    if (!parent) break;
    chain.push(parent.pem);
    current = parent.cert;
  }
  return chain;
}

/** Whether a certificate is self-signed. */
export function isSelfSigned(pem: string): boolean {
  const cert = new NodeCertificate(pem);
  return issues(cert, cert);
}
