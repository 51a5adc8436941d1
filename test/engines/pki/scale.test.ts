// The CI-sized scale check (the bench seeds 1,000,000): 20,000 stored certificates written
// through the engine's store function, half expired past the safety buffer, 2,000 revoked.
// certs LIST pages through ordered storage; tidy removes exactly the expired half and the
// expired revocations, tidy-status counts match, and the rebuilt CRL lists the rest.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { colonSerial } from '../../../src/engines/pki/certs.js';
import { x509 } from '../../../src/engines/pki/x509.js';
import { startPkiServer } from './helpers.js';
import { issueReal, listAllCerts, mountStorage, seedCertificates, waitForTidy } from './seed.js';

const TOTAL = 20_000;
const REVOKED = 2_000;

let srv: TestServer;
const live = new Set<string>();
const liveRevoked = new Set<string>();

before(async () => {
  ({ srv } = await startPkiServer());
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true, key_type: 'ec', ttl: '1h' })).status, 200);
  const issuerId = (await srv.api('GET', 'pki/issuer/default')).body.data.issuer_id as string;
  const pems = await issueReal(srv, 'pki', 'web', 10);
  for (const serial of (await srv.api('LIST', 'pki/certs')).body.data.keys as string[]) live.add(serial);
  await seedCertificates(mountStorage(srv, 'pki/'), {
    total: TOTAL, revoked: REVOKED, pems, issuerId,
    onEntry: (hex, expired, revoked) => {
      if (expired) return;
      live.add(colonSerial(hex));
      if (revoked) liveRevoked.add(hex);
    },
  });
});
after(() => srv.close());

test(`certs LIST pages through ${TOTAL} entries in order with after/limit`, async () => {
  const seen = await listAllCerts(srv, 'pki', 5000);
  assert.equal(seen.length, TOTAL + 11, 'every seeded entry, the 10 real leaves and the root');
  assert.deepEqual(seen, [...seen].sort(), 'ordered');
  assert.equal(new Set(seen).size, seen.length, 'no page repeats an entry');
});

test('tidy removes exactly the expired half and the expired revocations; counts and the CRL match', async () => {
  const r = await srv.api('POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true });
  assert.equal(r.status, 202);
  const status = await waitForTidy(srv, 'pki');
  assert.equal(status.state, 'Finished', JSON.stringify(status));
  assert.equal(status.cert_store_deleted_count, TOTAL / 2);
  assert.equal(status.revoked_cert_deleted_count, REVOKED / 2);
  const remaining = await listAllCerts(srv, 'pki', 5000);
  assert.deepEqual(new Set(remaining), live);
  const crl = new x509.X509Crl(new Uint8Array(await (await fetch(`${srv.url}/v1/pki/crl`)).arrayBuffer()), { berOptions: { maxNodes: 1_000_000 } });
  assert.deepEqual(new Set(crl.entries.map((e) => e.serialNumber.toLowerCase())), liveRevoked);
});
