// Revocations stored before revoke wrote their CRL entry (`crl_entry`) are encoded at each CRL
// build and never written back: the CRL lists every serial and verifies, a build writes no
// revoked/ entry, and what tidy deletes or corrects while a build runs stays as tidy left it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import type { Storage } from '../../../src/storage/storage.js';
import { getJson, putJson, type RevokedEntry } from '../../../src/engines/pki/store.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { startPkiServer } from './helpers.js';
import { mountStorage } from './seed.js';

let srv: TestServer;
let rootPem: string;
let storage: Storage;

before(async () => {
  ({ srv, rootPem } = await startPkiServer());
  storage = mountStorage(srv, 'pki/');
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true, key_type: 'ec', ttl: '1h' })).status, 200);
});
after(() => srv.close());

/** Records the keys written through `storage` and through its transactions. */
function recordPuts(s: Storage, puts: string[]): Storage {
  const put = s.put.bind(s);
  const transaction = s.transaction.bind(s);
  s.put = (key, value) => { puts.push(key); return put(key, value); };
  s.transaction = (fn) => transaction((tx) => fn(recordPuts(tx, puts)));
  return s;
}

/** Revokes `n` new certificates, then stores them as an older release did (no crl_entry). */
async function oldRevocations(n: number, name: string): Promise<string[]> {
  const serials: string[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = await srv.api('POST', 'pki/issue/web', { common_name: `${name}${i}.example.com` });
    assert.equal(leaf.status, 200, JSON.stringify(leaf.body));
    const hex = (leaf.body.data.serial_number as string).replaceAll(':', '');
    assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: hex })).status, 200);
    serials.push(hex);
  }
  // After every revoke, so no build runs in between.
  for (const hex of serials) {
    const { crl_entry: _dropped, ...old } = (await getJson<RevokedEntry>(storage, `revoked/${hex}`))!;
    await putJson(storage, `revoked/${hex}`, old);
  }
  return serials;
}

test('old revocations are listed from their encoding, and a build writes no revoked/ entry', async () => {
  const serials = await oldRevocations(3, 'old');
  const puts: string[] = [];
  const [put, transaction] = [storage.put, storage.transaction];
  recordPuts(storage, puts);
  try {
    assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  } finally {
    [storage.put, storage.transaction] = [put, transaction];
  }
  assert.deepEqual(puts.filter((k) => k.startsWith('revoked/')), []);
  const crl = new x509.X509Crl(Buffer.from(await (await fetch(`${srv.url}/v1/pki/crl`)).arrayBuffer()));
  const asNumber = (hex: string) => BigInt(`0x${hex}`).toString(16);
  const listed = new Set(crl.entries.map((e) => asNumber(e.serialNumber)));
  for (const hex of serials) assert.ok(listed.has(asNumber(hex)), hex);
  assert.ok(await crl.verify({ publicKey: new x509.X509Certificate(rootPem).publicKey }));
});

test('what tidy deletes or corrects while a build runs stays so', async () => {
  const [gone, fixed] = await oldRevocations(2, 'race');
  // Tidy acts at the worst moment: right after a build's transaction read the entry, before
  // that transaction commits (or, when the build reads none in a transaction, once it is done).
  const tidy = async (hex: string) => {
    if (hex === gone) await storage.delete(`revoked/${hex}`);
    else await putJson(storage, `revoked/${hex}`, { ...(await getJson<RevokedEntry>(storage, `revoked/${hex}`))!, issuer_id: 'fixed-by-tidy' });
  };
  const pending = new Set([gone!, fixed!]);
  const transaction = storage.transaction;
  const inner = transaction.bind(storage);
  storage.transaction = (fn) => inner((tx) => {
    const get = tx.get.bind(tx);
    tx.get = async (key) => {
      const value = await get(key);
      const hex = key.slice('revoked/'.length);
      if (key.startsWith('revoked/') && pending.delete(hex)) await tidy(hex);
      return value;
    };
    return fn(tx);
  });
  try {
    assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  } finally {
    storage.transaction = transaction;
  }
  for (const hex of pending) await tidy(hex);
  assert.equal(await storage.get(`revoked/${gone}`), undefined, 'a tidied entry is not brought back');
  assert.equal((await getJson<RevokedEntry>(storage, `revoked/${fixed}`))?.issuer_id, 'fixed-by-tidy');
});
