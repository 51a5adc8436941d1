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
  // As in Vault, the empty run still starts (and finishes at once, having nothing to do).
  const s = await waitForTidy();
  assert.equal(s.state, 'Finished');
  assert.equal(s.cert_store_deleted_count, 0);
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

test('tidy-cancel with no run answers Vault\'s warning', async () => {
  const r = await srv.api('POST', 'pki/tidy-cancel', {});
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.warnings, ['Tidy operation cannot be cancelled as none is currently running.']);
});

test('config/auto-tidy reads Vault defaults and refuses with Vault texts', async () => {
  const r = await srv.api('GET', 'pki/config/auto-tidy');
  assert.equal(r.status, 200);
  const d = r.body.data;
  assert.equal(d.enabled, false);
  assert.equal(d.interval_duration, 12 * 3600);
  assert.equal(d.safety_buffer, 72 * 3600);
  assert.equal(d.issuer_safety_buffer, 8760 * 3600);
  assert.equal(d.acme_account_safety_buffer, 720 * 3600);
  assert.equal(d.revocation_queue_safety_buffer, 48 * 3600);
  assert.equal(d.min_startup_backoff_duration, 300);
  assert.equal(d.max_startup_backoff_duration, 900);
  assert.equal(d.pause_duration, '0s');
  assert.equal(d.tidy_acme, false);
  assert.equal(d.maintain_stored_certificate_counts, false);
  const refusals: Array<[Record<string, unknown>, string]> = [
    [{ enabled: true }, 'Auto-tidy enabled but no tidy operations were requested. Enable at least one tidy operation to be run (tidy_cert_store / tidy_revoked_certs / tidy_revoked_cert_issuer_associations / tidy_expired_issuers / tidy_move_legacy_ca_bundle / tidy_revocation_queue / tidy_cross_cluster_revoked_certs / tidy_acme).'],
    [{ interval_duration: '-1s' }, 'given interval_duration must be greater than or equal to zero seconds; got: -1'],
    [{ safety_buffer: 0 }, 'given safety_buffer must be at least one second; got: 0'],
    [{ pause_duration: '-2s' }, 'received invalid, negative pause_duration'],
    [{ min_startup_backoff_duration: '20m' }, 'max_startup_backoff_duration 15m0s must be greater or equal to min_startup_backoff_duration 20m0s'],
    [{ tidy_cert_metadata: true }, 'certificate metadata is only supported on Vault Enterprise'],
    [{ publish_stored_certificate_count_metrics: true }, 'Can not publish a running storage metrics count to metrics without first maintaining that count.  Enable `maintain_stored_certificate_counts` to enable `publish_stored_certificate_count_metrics`.'],
  ];
  for (const [body, text] of refusals) {
    const bad = await srv.api('POST', 'pki/config/auto-tidy', body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.deepEqual(bad.body.errors, [text]);
  }
  assert.equal((await srv.api('GET', 'pki/config/auto-tidy')).body.data.enabled, false, 'a refused write changes nothing');
});

test('auto-tidy runs on its interval from the periodic hook; tidy-status shows it; the schedule survives a seal', async () => {
  const set = await srv.api('POST', 'pki/config/auto-tidy', { enabled: true, tidy_cert_store: true, interval_duration: '1h', safety_buffer: '1h' });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.data.interval_duration, 3600);
  assert.equal(set.body.data.safety_buffer, 3600);
  const enabledAt = Date.parse((await srv.api('GET', 'pki/tidy-status')).body.data.last_auto_tidy_finished);
  assert.equal(enabledAt, clock.now(), 'enabling starts the interval');
  const serials: string[] = [];
  for (let i = 0; i < 3; i++) serials.push((await srv.api('POST', 'pki/issue/web', { common_name: `a${i}.example.com`, ttl: '10m' })).body.data.serial_number);

  // Not due yet: nothing starts.
  clock.advance(30 * 60_000);
  const before = (await srv.api('GET', 'pki/tidy-status')).body.data.time_started;
  await srv.core.runPeriodicWork();
  assert.equal((await srv.api('GET', 'pki/tidy-status')).body.data.time_started, before);

  // Past the interval (and past the certificates' NotAfter + the 1h buffer): the periodic hook tidies.
  clock.advance(60 * 60_000);
  await srv.core.runPeriodicWork();
  const s = await waitForTidy();
  assert.equal(s.state, 'Finished');
  assert.notEqual(s.time_started, before);
  assert.equal(s.cert_store_deleted_count, 3);
  assert.equal(s.safety_buffer, 3600);
  const listed = (await srv.api('LIST', 'pki/certs')).body.data.keys as string[];
  for (const serial of serials) assert.ok(!listed.includes(serial));
  const finished = Date.parse(s.last_auto_tidy_finished as string);
  assert.ok(finished >= clock.now(), 'the finish time is recorded');

  // The recorded time is in storage: after a seal and unseal the next run still waits an interval.
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  assert.equal((await srv.api('PUT', 'sys/unseal', { key: srv.unsealKey })).body.sealed, false);
  await srv.core.runPeriodicWork();
  assert.equal((await srv.api('GET', 'pki/tidy-status')).body.data.time_started, s.time_started);
  clock.advance(61 * 60_000);
  await srv.core.runPeriodicWork();
  const again = await waitForTidy();
  assert.notEqual(again.time_started, s.time_started);
  assert.equal((await srv.api('POST', 'pki/config/auto-tidy', { enabled: false })).status, 200);
});
