// Unseal and mount start read no certificate entries: with a few thousand stored and revoked
// certificates in a pki mount, every barrier read (get, list, and reads inside transactions) is
// recorded across seal, unseal and a fresh mount; none touches the mount's certs/, revoked/ or
// expiry/ keys until a request needs one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import type { ListOptions, Storage } from '../../../src/storage/storage.js';
import { colonSerial } from '../../../src/engines/pki/certs.js';
import { mountPki, startPkiServer } from './helpers.js';
import { issueReal, mountStorage, seedCertificates } from './seed.js';

const TOTAL = 3_000;
const REVOKED = 300;

let srv: TestServer;
let uuid: string;
let someSerial = '';
const reads: string[] = [];

/** Records every read through `storage` (and through transactions opened on it). */
function recordReads(storage: Storage): Storage {
  const get = storage.get.bind(storage);
  const list = storage.list.bind(storage);
  const transaction = storage.transaction.bind(storage);
  storage.get = (key: string) => { reads.push(key); return get(key); };
  storage.list = (prefix: string, options?: ListOptions) => { reads.push(prefix); return list(prefix, options); };
  storage.transaction = (fn) => transaction((tx) => fn(recordReads(tx)));
  return storage;
}

/** Recorded reads of the seeded mount's certificate keys. */
const certReads = () => reads.filter((k) => new RegExp(`(^|/)${uuid}/(certs|revoked|expiry)/`).test(k));

before(async () => {
  ({ srv } = await startPkiServer());
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true, key_type: 'ec', ttl: '1h' })).status, 200);
  const issuerId = (await srv.api('GET', 'pki/issuer/default')).body.data.issuer_id as string;
  const pems = await issueReal(srv, 'pki', 'web', 3);
  await seedCertificates(mountStorage(srv, 'pki/'), {
    total: TOTAL, revoked: REVOKED, pems, issuerId, concurrency: 16,
    onEntry: (hex) => { someSerial ||= colonSerial(hex); },
  });
  uuid = srv.core.unsealed.mounts.get('mounts', 'pki/')!.uuid;
  recordReads(srv.core.seal.barrier as unknown as Storage);
});
after(() => srv.close());

test('seal and unseal read no certificate entry; the first request that needs one does', async () => {
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  reads.length = 0;
  const unsealed = await srv.api('PUT', 'sys/unseal', { key: srv.unsealKey });
  assert.equal(unsealed.body.sealed, false);
  // Whatever start-up work the unseal set going (periodic hooks, queues) gets time to run.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(reads.some((k) => k.includes(`${uuid}/`)), 'the recorder sees the mount at all');
  assert.deepEqual(certReads(), [], 'no certs/, revoked/ or expiry/ read during unseal');

  // Requests that do not need certificates leave them unread too.
  assert.equal((await srv.api('GET', 'pki/issuer/default')).status, 200);
  assert.equal((await srv.api('GET', 'pki/roles/web')).status, 200);
  assert.deepEqual(certReads(), []);

  // The recorder works: reading one certificate reads exactly its entry and its revocation.
  assert.equal((await srv.api('GET', `pki/cert/${someSerial}`)).status, 200);
  const hex = someSerial.replaceAll(':', '');
  assert.deepEqual(certReads().map((k) => k.slice(k.indexOf(`${uuid}/`) + uuid.length + 1)), [`certs/${hex}`, `revoked/${hex}`]);
});

test('mounting another pki engine reads nothing of the seeded mount', async () => {
  reads.length = 0;
  await mountPki(srv, 'pki2');
  assert.equal((await srv.api('POST', 'pki2/root/generate/internal', { common_name: 'second', key_type: 'ec' })).status, 200);
  assert.deepEqual(certReads(), []);
  const second = srv.core.unsealed.mounts.get('mounts', 'pki2/')!.uuid;
  assert.deepEqual(reads.filter((k) => new RegExp(`${second}/(certs|revoked|expiry)/$`).test(k)), [], 'nor lists the new mount\'s folders');
});
