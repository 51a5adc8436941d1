// `node --expose-gc dist/bench/pki-scale.js`: a PKI mount at scale on SQLite. Seeds
// PKI_SCALE_CERTS stored certificates through the engine's store function (PKI_SCALE_REAL
// distinct real certificates as bodies under unique serials, every other one expired past tidy's
// safety buffer, the first PKI_SCALE_REVOKED revoked), then prints, next to an empty mount in
// the same server: unseal time and the first request after it, paged certs LIST, issue /
// revoke / OCSP latency, and a tidy (duration, whether it removed exactly the expired half,
// tidy-status counts, sys/health p99 while it runs), and the peak RSS growth over all of it.
// Not part of npm test; prints numbers, never decides pass/fail.
//   PKI_SCALE_CERTS (default 1000000) · PKI_SCALE_REVOKED (default CERTS/10) · PKI_SCALE_REAL (default 1000)
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { issueReal, listAllCerts, mountStorage, seedCertificates, waitForTidy } from '../test/engines/pki/seed.js';
import { mountPki } from '../test/engines/pki/helpers.js';
import { listAll } from '../src/engines/pki/store.js';

const CERTS = Number(process.env.PKI_SCALE_CERTS ?? 1_000_000);
const REVOKED = Number(process.env.PKI_SCALE_REVOKED ?? Math.floor(CERTS / 10));
const REAL = Number(process.env.PKI_SCALE_REAL ?? 1000);
const SAFETY_BUFFER = 72 * 3600;

const fmt = (n: number) => n.toFixed(1);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;

/** Peak RSS since the last reset, sampled every 20 ms. */
const rss = { peak: 0, reset() { this.peak = process.memoryUsage().rss; } };
setInterval(() => { rss.peak = Math.max(rss.peak, process.memoryUsage().rss); }, 20).unref();

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/** Latencies of `count` sequential calls: p50 and p99 in ms. */
async function latency(count: number, call: (i: number) => Promise<void>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) ms.push((await timed(() => call(i)))[1]);
  ms.sort((a, b) => a - b);
  return `p50 ${fmt(pct(ms, 50))} ms  p99 ${fmt(pct(ms, 99))} ms  (n=${count})`;
}

async function ok(srv: TestServer, method: string, path: string, body?: unknown, status = 200) {
  const r = await srv.api(method, path, body);
  if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** seal + unseal through the API; answers its time and the first pki request's after it. */
async function unsealTimes(srv: TestServer, mount: string): Promise<string> {
  await ok(srv, 'PUT', 'sys/seal', undefined, 204);
  const [, unsealMs] = await timed(() => ok(srv, 'PUT', 'sys/unseal', { key: srv.unsealKey }));
  const [, firstMs] = await timed(() => ok(srv, 'GET', `${mount}/cert/ca`));
  return `unseal ${fmt(unsealMs)} ms, first ${mount}/cert/ca after it ${fmt(firstMs)} ms`;
}

/** An OCSPRequest (SHA-1 CertID) for `serialHex` under the issuer `issuerPem`. */
function ocspRequest(serialHex: string, issuerPem: string): Uint8Array<ArrayBuffer> {
  const issuer = AsnConvert.parse(Buffer.from(issuerPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate).tbsCertificate;
  const sha1 = (b: ArrayBuffer | Uint8Array) => new OctetString(createHash('sha1').update(new Uint8Array(b)).digest());
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: sha1(AsnConvert.serialize(issuer.subject)),
    issuerKeyHash: sha1(issuer.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: new Uint8Array(Buffer.from(serialHex, 'hex')).buffer,
  });
  return new Uint8Array(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) })));
}

async function ocspLatency(srv: TestServer, mount: string, serialHex: string, issuerPem: string, expect: number): Promise<string> {
  const body = ocspRequest(serialHex, issuerPem);
  return latency(200, async () => {
    const res = await fetch(`${srv.url}/v1/${mount}/ocsp`, { method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' }, body });
    const der = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || der.length < expect) throw new Error(`ocsp ${res.status}`);
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-pki-scale-'));
  const srv = await startTestServer({ storage: { type: 'sqlite', path: join(dir, 'lockbox.db') } });
  try {
    for (const mount of ['pki', 'empty']) {
      await mountPki(srv, mount);
      await ok(srv, 'POST', `${mount}/root/generate/internal`, { common_name: `${mount} root`, key_type: 'ec', ttl: '87600h' });
      await ok(srv, 'POST', `${mount}/roles/web`, { allow_any_name: true, key_type: 'ec', ttl: '1h' });
    }
    console.log(`before seeding (both mounts empty): ${await unsealTimes(srv, 'pki')}`);

    // Seeding.
    const issuerId = (await ok(srv, 'GET', 'pki/issuer/default')).data.issuer_id as string;
    const [pems, realMs] = await timed(() => issueReal(srv, 'pki', 'web', REAL));
    console.log(`issued ${REAL} real certificates in ${fmt(realMs / 1000)} s`);
    let revokedHex = '';
    let validHex = '';
    const seedStart = performance.now();
    await seedCertificates(mountStorage(srv, 'pki/'), {
      total: CERTS, revoked: REVOKED, pems, issuerId, concurrency: 64,
      onEntry: (hex, expired, revoked) => {
        if (revoked && !expired && !revokedHex) revokedHex = hex;
        if (!revoked && !expired && !validHex) validHex = hex;
      },
      onProgress: (done) => { if (done % 100_000 === 0) console.log(`  seeded ${done} (${fmt(done / ((performance.now() - seedStart) / 1000))}/s)`); },
    });
    console.log(`seeded ${CERTS} certificate entries (${REVOKED} revoked) in ${fmt((performance.now() - seedStart) / 1000)} s`);

    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    rss.reset();
    console.log(`RSS after seeding: ${mb(baseRss)}`);

    console.log(`after seeding (pki holds ${CERTS}): ${await unsealTimes(srv, 'pki')}; empty mount: ${await unsealTimes(srv, 'empty')}`);

    // certs LIST.
    const [first, firstMs] = await timed(() => ok(srv, 'LIST', 'pki/certs?limit=1000'));
    const [, emptyListMs] = await timed(() => ok(srv, 'LIST', 'empty/certs?limit=1000'));
    const middle = (first.data.keys as string[])[999]!;
    const [, deepMs] = await timed(() => ok(srv, 'LIST', `pki/certs?limit=1000&after=${middle}`));
    const [all, walkMs] = await timed(() => listAllCerts(srv, 'pki', 10_000));
    const expectedBefore = CERTS + REAL + 1;
    console.log(`certs LIST limit=1000: first page ${fmt(firstMs)} ms (empty mount ${fmt(emptyListMs)} ms), page after a key ${fmt(deepMs)} ms; `
      + `full walk at limit=10000: ${all.length} keys (expected ${expectedBefore}) in ${fmt(walkMs / 1000)} s`);
    const walked = all.length;
    all.length = 0;

    // Issue, revoke, OCSP: the seeded mount next to the empty one.
    let issuedAfter = 0;
    const issuedSerials: Record<string, string[]> = { pki: [], empty: [] };
    for (const mount of ['empty', 'pki']) {
      const issue = await latency(50, async () => {
        const r = await ok(srv, 'POST', `${mount}/issue/web`, { common_name: 'scale.example.com' });
        issuedSerials[mount]!.push(r.data.serial_number as string);
        if (mount === 'pki') issuedAfter += 1;
      });
      console.log(`issue  ${mount.padEnd(5)}: ${issue}`);
    }
    for (const mount of ['empty', 'pki']) {
      // With CRL rebuild on revoke (the default), once: the seeded mount rebuilds a CRL of all its revocations.
      const [, withRebuild] = await timed(() => ok(srv, 'POST', `${mount}/revoke`, { serial_number: issuedSerials[mount]!.pop() }));
      await ok(srv, 'POST', `${mount}/config/crl`, { auto_rebuild: true });
      const revoke = await latency(20, async () => { await ok(srv, 'POST', `${mount}/revoke`, { serial_number: issuedSerials[mount]!.pop() }); });
      console.log(`revoke ${mount.padEnd(5)}: ${revoke} with auto_rebuild; one revoke rebuilding the CRL: ${fmt(withRebuild)} ms`);
    }
    for (const mount of ['empty', 'pki']) {
      const issuerPem = (await ok(srv, 'GET', `${mount}/issuer/default`)).data.certificate as string;
      const good = mount === 'pki' ? validHex : issuedSerials.empty![0]!.replaceAll(':', '');
      console.log(`ocsp   ${mount.padEnd(5)}: good ${await ocspLatency(srv, mount, good, issuerPem, 100)}`);
      if (mount === 'pki') console.log(`ocsp   pki  : revoked (seeded) ${await ocspLatency(srv, mount, revokedHex, issuerPem, 100)}`);
    }
    console.log(`peak RSS growth so far: +${mb(rss.peak - baseRss)}`);

    // Tidy, with sys/health polled meanwhile.
    await ok(srv, 'POST', 'pki/config/crl', { auto_rebuild: false });
    const health: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const [, ms] = await timed(() => fetch(`${srv.url}/v1/sys/health`).then((r) => r.arrayBuffer()));
        health.push(ms);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const tidyRssBase = process.memoryUsage().rss;
    const [status, tidyMs] = await timed(async () => {
      await ok(srv, 'POST', 'pki/tidy', { tidy_cert_store: true, tidy_revoked_certs: true }, 202);
      return waitForTidy(srv, 'pki', 1_000_000);
    });
    polling = false;
    await poller;
    health.sort((a, b) => a - b);
    const expiredCerts = Math.ceil(CERTS / 2);
    const expiredRevoked = Math.ceil(REVOKED / 2);
    console.log(`tidy: ${status.state} in ${fmt(tidyMs / 1000)} s; cert_store_deleted_count ${status.cert_store_deleted_count} (expected ${expiredCerts}), `
      + `revoked_cert_deleted_count ${status.revoked_cert_deleted_count} (expected ${expiredRevoked}); `
      + `sys/health during tidy p50 ${fmt(pct(health, 50))} ms p99 ${fmt(pct(health, 99))} ms max ${fmt(health[health.length - 1] ?? 0)} ms (n=${health.length}); `
      + `RSS during tidy +${mb(rss.peak - tidyRssBase)} over its start`);

    // Exactly the expired half went: the count matches and no remaining expiry entry is past the buffer.
    const [after, afterMs] = await timed(() => listAllCerts(srv, 'pki', 10_000));
    const expectedAfter = walked - expiredCerts + issuedAfter;
    const storage = mountStorage(srv, 'pki/');
    const cutoff = Math.floor(Date.now() / 1000) - SAFETY_BUFFER;
    const buckets = await listAll(storage, 'expiry/');
    const stale = buckets.filter((b) => Number(b.replace(/\/$/, '')) < cutoff).length;
    console.log(`after tidy: ${after.length} certs (expected ${expectedAfter}: ${after.length === expectedAfter ? 'exact' : 'MISMATCH'}), `
      + `expiry buckets past the buffer left: ${stale}; walk ${fmt(afterMs / 1000)} s`);
    console.log(`peak RSS growth over the whole run after seeding: +${mb(rss.peak - baseRss)} (goal < 256 MB)`);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
