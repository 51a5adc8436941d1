// External account binding (RFC 8555 §7.3.4): HMAC keys made with acme/new-eab, each bound to
// one directory and good for one account.
import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, flattenedVerify, type JWK } from 'jose';
import type { Storage } from '../../../storage/storage.js';
import { getJson, listAll, putJson } from '../store.js';
import { rfc3339 } from '../validity.js';
import { malformed, unauthorized } from './problem.js';

export type Eab = { id: string; key: string; key_type: 'hs'; acme_directory: string; created_on: string; used: boolean };

export async function createEab(storage: Storage, directory: string, nowMs: number): Promise<Eab> {
  const eab: Eab = {
    id: randomUUID(), key: randomBytes(32).toString('base64url'), key_type: 'hs', acme_directory: directory,
    created_on: rfc3339(nowMs), used: false,
  };
  await putJson(storage, `acme/eab/${eab.id}`, eab);
  return eab;
}

export async function listEabs(storage: Storage): Promise<Eab[]> {
  const ids = await listAll(storage, 'acme/eab/');
  return (await Promise.all(ids.map((id) => getJson<Eab>(storage, `acme/eab/${id}`)))).filter((e): e is Eab => e !== undefined && !e.used);
}

export const deleteEab = (storage: Storage, id: string) => storage.delete(`acme/eab/${id}`);

/**
 * Checks an externalAccountBinding for a new account: an unused key of this directory, signed
 * over the account's own JWK for this URL. Marks the key used.
 */
export async function consumeEab(storage: Storage, binding: unknown, accountJwk: JWK, url: string, directory: string): Promise<string> {
  const b = binding as { protected?: unknown; payload?: unknown; signature?: unknown };
  if (typeof b?.protected !== 'string' || typeof b.payload !== 'string' || typeof b.signature !== 'string') throw malformed('externalAccountBinding is not a flattened JWS');
  let header: { alg?: unknown; kid?: unknown; url?: unknown };
  try { header = JSON.parse(Buffer.from(b.protected, 'base64url').toString('utf8')); } catch { throw malformed('invalid externalAccountBinding header'); }
  if (header.alg !== 'HS256' && header.alg !== 'HS384' && header.alg !== 'HS512') throw malformed('externalAccountBinding must use an HMAC algorithm');
  if (header.url !== url) throw unauthorized('externalAccountBinding url does not match');
  const eab = typeof header.kid === 'string' ? await getJson<Eab>(storage, `acme/eab/${header.kid}`) : undefined;
  if (!eab) throw unauthorized('unknown eab');
  if (eab.used) throw unauthorized('eab was already used');
  if (eab.acme_directory !== directory) throw unauthorized('eab was created for another directory');
  try {
    await flattenedVerify({ protected: b.protected, payload: b.payload, signature: b.signature }, Buffer.from(eab.key, 'base64url'), { algorithms: [header.alg] });
  } catch {
    throw unauthorized('externalAccountBinding signature is invalid');
  }
  let inner: JWK;
  try { inner = JSON.parse(Buffer.from(b.payload, 'base64url').toString('utf8')) as JWK; } catch { throw malformed('invalid externalAccountBinding payload'); }
  if ((await calculateJwkThumbprint(inner)) !== (await calculateJwkThumbprint(accountJwk))) throw unauthorized('externalAccountBinding is for another key');
  await putJson(storage, `acme/eab/${eab.id}`, { ...eab, used: true });
  return eab.id;
}
