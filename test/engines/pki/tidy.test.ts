// Tidy: expired certificates and revocations go (through the expiry index), the CRL is
// rebuilt without them, and tidy-status counts what was removed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/util/clock.js';
import type { TestServer } from '../../helpers/server.js';
import { startPkiServer } from './helpers.js';
import { x509 } from '../../../src/engines/pki/x509.js';

let srv: TestServer;
const clock = new ManualClock(Date.now());

before(async () => {
  ({ srv } = await startPkiServer(clock));
  await srv.api('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'ec' });
});
after(async () => srv.close());

async function waitForTidy(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const s = (await srv.api('GET', 'pki/tidy-status')).body.data;
    if (s.state !== 'Running' && s.state !== 'Cancelling') return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('tidy did not finish');
}

test('tidy with nothing selected warns; bad buffers and page sizes are refused', async () => {
  const none = await srv.api('POST', 'pki/tidy', {});
  assert.equal(none.status, 202);
  assert.match(none.body.warnings[0], /^Manual tidy requested but no tidy operations were set/);
  assert.deepEqual((await srv.api('POST', 'pki/tidy', { tidy_cert_store: true, page_size: 2 })).body.errors, ['page_size must be greater than five']);
  assert.deepEqual((await srv.api('POST', 'pki/tidy', { tidy_cert_store: true, pause_duration: '-1s' })).body.errors, ['received invalid, negative pause_duration']);
  assert.equal((await srv.api('GET', 'pki/tidy-status')).body.data.state, 'Inactive');
});

test('tidy removes exactly the expired certificates and revocations, and the CRL drops them', async () => {
  const short: string[] = [];
  for (let i = 0; i < 6; i++) short.push((await srv.api('POST', 'pki/issue/web', { common_name: `s${i}.example.com`, ttl: '1h' })).body.data.serial_number);
  const long: string[] = [];
  for (let i = 0; i < 4; i++) long.push((await srv.api('POST', 'pki/issue/web', { common_name: `l${i}.example.com`, ttl: '500h' })).body.data.serial_number);
  await srv.api('POST', 'pki/revoke', { serial_number: short[0] });
  await srv.api('POST', 'pki/revoke', { serial_number: long[0] });
  clock.advance(80 * 3600 * 1000); // past 1h + the 72h safety buffer
  const r = await srv.api('POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true, page_size: 5 });
  assert.equal(r.status, 202);
  const s = await waitForTidy();
  assert.equal(s.state, 'Finished');
  assert.equal(s.cert_store_deleted_count, 6);
  assert.equal(s.revoked_cert_deleted_count, 1);
  const listed = (await srv.api('LIST', 'pki/certs')).body.data.keys as string[];
  for (const serial of short) assert.ok(!listed.includes(serial));
  for (const serial of long) assert.ok(listed.includes(serial));
  const der = Buffer.from(await (await fetch(`${srv.url}/v1/pki/crl`)).arrayBuffer());
  const crl = new x509.X509Crl(new Uint8Array(der));
  assert.deepEqual(crl.entries.map((e) => e.serialNumber.toLowerCase()), [long[0]!.replaceAll(':', '')]);
});

test('tidy-cancel with no run is refused', async () => {
  const r = await srv.api('POST', 'pki/tidy-cancel', {});
  assert.equal(r.status, 400);
});
