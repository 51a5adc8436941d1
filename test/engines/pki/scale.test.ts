// The CI-sized scale check (the bench seeds 1,000,000): 20,000 stored certificates written
// through the engine's store function, half expired past the safety buffer, 2,000 revoked.
// certs LIST pages through ordered storage; tidy removes exactly the expired half and the
// expired revocations, tidy-status counts match, and the rebuilt CRL lists the rest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import type { Storage } from '../../../src/storage/storage.js';
import { colonSerial, newSerialHex } from '../../../src/engines/pki/certs.js';
import { putJson, storeCertificate } from '../../../src/engines/pki/store.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { startPkiServer } from './helpers.js';

const TOTAL = 20_000;
const REVOKED = 2_000;
const DAY = 86_400;

let srv: TestServer;
let storage: Storage;
const live = new Set<string>();
const liveRevoked = new Set<string>();

before(async () => {
  ({ srv } = await startPkiServer());
  storage = srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('mounts', 'pki/')!);
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true, key_type: 'ec', ttl: '1h' })).status, 200);
  const issuerId = (await srv.api('GET', 'pki/issuer/default')).body.data.issuer_id as string;
  const pems: string[] = [];
  for (let i = 0; i < 10; i++) pems.push((await srv.api('POST', 'pki/issue/web', { common_name: `real${i}.example.com` })).body.data.certificate);
  for (const serial of (await srv.api('LIST', 'pki/certs')).body.data.keys as string[]) live.add(serial);
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < TOTAL; i++) {
    const hex = newSerialHex();
    const expired = i % 2 === 0;
    const notAfter = expired ? now - 4 * DAY : now + 30 * DAY;
    await storeCertificate(storage, hex, { certificate: pems[i % pems.length]!, not_after: notAfter, issuer_id: issuerId });
    if (i < REVOKED) {
      await putJson(storage, `revoked/${hex}`, { serial: colonSerial(hex), revocation_time: now - 5 * DAY, issuer_id: issuerId, certificate: pems[0], not_after: notAfter });
      if (!expired) liveRevoked.add(hex);
    }
    if (!expired) live.add(colonSerial(hex));
  }
});
after(() => srv.close());

test(`certs LIST pages through ${TOTAL} entries in order with after/limit`, async () => {
  const seen: string[] = [];
  let afterKey = '';
  for (;;) {
    const page = await srv.api('LIST', `pki/certs?limit=5000${afterKey ? `&after=${afterKey}` : ''}`);
    assert.equal(page.status, 200);
    const keys = page.body.data.keys as string[];
    seen.push(...keys);
    if (keys.length < 5000) break;
    afterKey = keys[keys.length - 1]!;
  }
  assert.equal(seen.length, TOTAL + 11, 'every seeded entry, the 10 real leaves and the root');
  assert.deepEqual(seen, [...seen].sort(), 'ordered');
  assert.equal(new Set(seen).size, seen.length, 'no page repeats an entry');
});

test('tidy removes exactly the expired half and the expired revocations; counts and the CRL match', async () => {
  const r = await srv.api('POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true });
  assert.equal(r.status, 202);
  let status: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) {
    status = (await srv.api('GET', 'pki/tidy-status')).body.data;
    if (status.state !== 'Running') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(status.state, 'Finished', JSON.stringify(status));
  assert.equal(status.cert_store_deleted_count, TOTAL / 2);
  assert.equal(status.revoked_cert_deleted_count, REVOKED / 2);
  const remaining: string[] = [];
  let afterKey = '';
  for (;;) {
    const keys = (await srv.api('LIST', `pki/certs?limit=5000${afterKey ? `&after=${afterKey}` : ''}`)).body.data.keys as string[];
    remaining.push(...keys);
    if (keys.length < 5000) break;
    afterKey = keys[keys.length - 1]!;
  }
  assert.deepEqual(new Set(remaining), live);
  const crl = new x509.X509Crl(new Uint8Array(await (await fetch(`${srv.url}/v1/pki/crl`)).arrayBuffer()), { berOptions: { maxNodes: 1_000_000 } });
  assert.deepEqual(new Set(crl.entries.map((e) => e.serialNumber.toLowerCase())), liveRevoked);
});
