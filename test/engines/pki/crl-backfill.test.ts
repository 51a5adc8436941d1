// Revocations stored before revoke wrote their CRL entry (`crl_entry`) get it at the next CRL
// build, once: the entries regain exactly the bytes revoke writes, the CRL lists every serial
// and verifies, and a later build rewrites no revoked/ entry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import type { Storage } from '../../../src/storage/storage.js';
import { storedCrlEntry } from '../../../src/engines/pki/crl-entry.js';
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

test('old revocations get their CRL entry at the next build, and only once', async () => {
  const serials: string[] = [];
  for (let i = 0; i < 5; i++) {
    const leaf = await srv.api('POST', 'pki/issue/web', { common_name: `old${i}.example.com` });
    assert.equal(leaf.status, 200, JSON.stringify(leaf.body));
    const serial = leaf.body.data.serial_number as string;
    assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: serial })).status, 200);
    serials.push(serial.replaceAll(':', ''));
  }
  // Three of them as an older release stored them: no crl_entry.
  for (const hex of serials.slice(0, 3)) {
    const { crl_entry: _dropped, ...old } = (await getJson<RevokedEntry>(storage, `revoked/${hex}`))!;
    await putJson(storage, `revoked/${hex}`, old);
  }

  assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  for (const hex of serials) {
    const e = (await getJson<RevokedEntry>(storage, `revoked/${hex}`))!;
    assert.equal(e.crl_entry, storedCrlEntry(hex, e.revocation_time), hex);
  }
  const crl = new x509.X509Crl(Buffer.from(await (await fetch(`${srv.url}/v1/pki/crl`)).arrayBuffer()));
  const asNumber = (hex: string) => BigInt(`0x${hex}`).toString(16);
  assert.deepEqual(crl.entries.map((e) => asNumber(e.serialNumber)).sort(), serials.map(asNumber).sort());
  assert.ok(await crl.verify({ publicKey: new x509.X509Certificate(rootPem).publicKey }));

  const puts: string[] = [];
  recordPuts(storage, puts);
  assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  assert.deepEqual(puts.filter((k) => k.startsWith('revoked/')), [], 'nothing left to backfill');
});

test('a revocation removed before its backfill is not written back', async () => {
  const leaf = await srv.api('POST', 'pki/issue/web', { common_name: 'gone.example.com' });
  const hex = (leaf.body.data.serial_number as string).replaceAll(':', '');
  assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: hex })).status, 200);
  const { crl_entry: _dropped, ...old } = (await getJson<RevokedEntry>(storage, `revoked/${hex}`))!;
  await putJson(storage, `revoked/${hex}`, old);
  // The entry is listed and read for the build, then deleted (as a tidy would) before the
  // backfill's transaction reads it again.
  const transaction = storage.transaction.bind(storage);
  storage.transaction = async (fn) => {
    await storage.delete(`revoked/${hex}`);
    storage.transaction = transaction;
    return transaction(fn);
  };
  assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  storage.transaction = transaction;
  assert.equal(await storage.get(`revoked/${hex}`), undefined);
});
