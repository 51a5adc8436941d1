// config/crl's max_crl_entries is enforced per issuer, as Vault CE does: a build that would
// list more revocations than the limit (complete or delta CRL) fails with Vault's text, and
// -1 lifts the limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { ManualClock } from '../../../src/util/clock.js';
import { startPkiServer } from './helpers.js';

let srv: TestServer;
const clock = new ManualClock(Date.now());

before(async () => {
  ({ srv } = await startPkiServer(clock));
  assert.equal((await srv.api('POST', 'pki/roles/web', { allow_any_name: true, key_type: 'ec', ttl: '1h' })).status, 200);
});
after(() => srv.close());

async function issueSerial(name: string): Promise<string> {
  const leaf = await srv.api('POST', 'pki/issue/web', { common_name: `${name}.example.com` });
  assert.equal(leaf.status, 200, JSON.stringify(leaf.body));
  return leaf.body.data.serial_number as string;
}

const tooLarge = (size: number, max: number) => ({ errors: [`error building CRL: revocation list size (${size}) exceeds configured maximum (${max})`] });

test('a complete CRL over max_crl_entries is refused; -1 lifts the limit', async () => {
  assert.equal((await srv.api('POST', 'pki/config/crl', { max_crl_entries: 2, auto_rebuild: false, enable_delta: false })).status, 200);
  for (const name of ['a', 'b']) assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: await issueSerial(name) })).status, 200);
  const third = await srv.api('POST', 'pki/revoke', { serial_number: await issueSerial('c') });
  assert.equal(third.status, 500);
  assert.deepEqual(third.body, tooLarge(3, 2));
  const rotate = await srv.api('GET', 'pki/crl/rotate');
  assert.equal(rotate.status, 500);
  assert.deepEqual(rotate.body, tooLarge(3, 2));
  assert.equal((await srv.api('POST', 'pki/config/crl', { max_crl_entries: -1 })).status, 200);
  assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
});

test('a delta CRL over max_crl_entries is refused', async () => {
  // A complete CRL of the three revocations so far, then a delta-only rebuild path.
  // Only later revocations are the delta's (it takes those from the complete CRL's second on).
  clock.advance(2000);
  assert.equal((await srv.api('POST', 'pki/config/crl', { max_crl_entries: -1, auto_rebuild: true, enable_delta: true })).status, 200);
  assert.deepEqual((await srv.api('GET', 'pki/crl/rotate')).body.data, { success: true });
  clock.advance(2000);
  assert.equal((await srv.api('POST', 'pki/config/crl', { max_crl_entries: 1 })).status, 200);
  assert.equal((await srv.api('POST', 'pki/revoke', { serial_number: await issueSerial('d') })).status, 200);
  const second = await srv.api('POST', 'pki/revoke', { serial_number: await issueSerial('e') });
  assert.equal(second.status, 500);
  assert.deepEqual(second.body, tooLarge(2, 1));
  const rotate = await srv.api('GET', 'pki/crl/rotate-delta');
  assert.equal(rotate.status, 500);
  assert.deepEqual(rotate.body, tooLarge(2, 1));
});
