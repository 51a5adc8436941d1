// `node dist/bench/pki.js`: PKI issue rates (ec-256 and rsa-2048, concurrency 1 and 8) next to
// their ceilings measured in the same run (bare @peculiar/x509 create+sign, bare async key
// generation, bare node:http), the event-loop delay and sys/health latency during the rsa-2048
// run, OCSP answers/s, and at each size of revoked set the engine's CRL rebuild time and peak
// RSS growth; at the first size also the bare builder next to X509CrlGenerator's (same entries,
// same key; the generator is quadratic, so only there). The server runs in this process, so the
// event-loop delay measured here is the server's; every HTTP client (issue load, sys/health
// poller, the bare node:http load) runs in a forked copy of this file (`--client`), so no
// client work lands on the loop being measured. Prints numbers and the targets' ratios; never
// decides pass/fail.
//   BENCH_PKI_EC (default 300) · BENCH_PKI_RSA (default 24) · BENCH_PKI_OCSP (default 2000)
//   BENCH_PKI_REVOKED (comma-separated sizes, default 10000,100000)
// `node --cpu-prof dist/bench/pki.js --profile ec` (or `rsa`): only that role's issue load at
// concurrency 8 (BENCH_PKI_EC or BENCH_PKI_RSA requests), no ceilings, so the profile the
// process writes on exit is the server's issue path and nothing else.
import { createHash, generateKeyPair } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { startTestServer } from '../test/helpers/server.js';
import { generateKey } from '../src/engines/pki/keys.js';
import { newSerialHex, subjectName } from '../src/engines/pki/certs.js';
import { rebuildCrls } from '../src/engines/pki/crl.js';
import { buildCrl, type CrlEntry } from '../src/engines/pki/crl-build.js';
import { cryptoSigningKey, signingAlgorithm, spkiOf } from '../src/engines/pki/keys.js';
import { revokedEntry } from '../src/engines/pki/revoke.js';
import { putJson } from '../src/engines/pki/store.js';
import { x509 } from '../src/engines/pki/x509.js';

const genKey = promisify(generateKeyPair);
const EC_COUNT = Number(process.env.BENCH_PKI_EC ?? 300);
const RSA_COUNT = Number(process.env.BENCH_PKI_RSA ?? 24);
const REVOKED = (process.env.BENCH_PKI_REVOKED ?? '10000,100000').split(',').map(Number);
const OCSP_COUNT = Number(process.env.BENCH_PKI_OCSP ?? 2000);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const fmt = (n: number) => n.toFixed(1);

type Rate = { rate: number; p50: number; p99: number };

/** Runs `count` calls with `concurrency` in flight; answers rate and latency percentiles. */
async function measure(count: number, concurrency: number, call: () => Promise<void>): Promise<Rate> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < count) {
      const t = performance.now();
      await call();
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

/** One HTTP request the client process repeats: what to send and the status it must answer. */
type Call = { url: string; method: string; headers: Record<string, string>; body: string; bodyEncoding: 'utf8' | 'base64'; status: number };
/** Parent → client: a timed load (with sys/health polled alongside when `healthUrl` is set), or an idle health poll. */
type ClientJob =
  | { kind: 'load'; call: Call; count: number; concurrency: number; healthUrl?: string }
  | { kind: 'poll'; healthUrl: string; ms: number };
/**
 * Client → parent: the load's figures (rate 0 for a poll), the health latencies, sorted, and
 * the client's own event-loop delay p99 (ms): when the machine starves the client too, part of
 * each latency is the client waiting for a core, and this says how much.
 */
type ClientResult = Rate & { health: number[]; clientLoopP99: number; error?: string };

const HEALTH_EVERY_MS = 20;

/** Sends one request on `agent` and reads the whole answer; answers the status. */
function send(agent: Agent, call: Omit<Call, 'status'>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(call.url, { method: call.method, headers: call.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body === '' ? undefined : Buffer.from(call.body, call.bodyEncoding));
  });
}

/** sys/health every HEALTH_EVERY_MS until `running()` is false; answers the sorted latencies. */
async function pollHealth(url: string, running: () => boolean): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  while (running()) {
    const t = performance.now();
    await send(agent, { url, method: 'GET', headers: {}, body: '', bodyEncoding: 'utf8' });
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS));
  }
  agent.destroy();
  return out.sort((a, b) => a - b);
}

/** The client process: runs each job the parent sends and answers its figures. */
async function clientJob(job: ClientJob): Promise<ClientResult> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const figures = await clientFigures(job);
  loop.disable();
  return { ...figures, clientLoopP99: loop.percentile(99) / 1e6 };
}

async function clientFigures(job: ClientJob): Promise<Rate & { health: number[] }> {
  if (job.kind === 'poll') {
    const until = performance.now() + job.ms;
    return { rate: 0, p50: 0, p99: 0, health: await pollHealth(job.healthUrl, () => performance.now() < until) };
  }
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  let loading = true;
  const health = job.healthUrl ? pollHealth(job.healthUrl, () => loading) : Promise.resolve([]);
  const rate = await measure(job.count, job.concurrency, async () => {
    const r = await send(agent, job.call);
    if (r.status !== job.call.status) throw new Error(`${job.call.method} ${job.call.url}: ${r.status} ${r.body}`);
  }).finally(() => { loading = false; });
  agent.destroy();
  return { ...rate, health: await health };
}

/** Parent side of the client process: one job at a time over IPC. */
function startClient(): { run: (job: ClientJob) => Promise<ClientResult>; stop: () => void } {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--client']);
  return {
    run: (job) => new Promise((resolve, reject) => {
      child.once('message', (m) => {
        const r = m as ClientResult;
        if (r.error) reject(new Error(r.error));
        else resolve(r);
      });
      child.send(job);
    }),
    stop: () => child.kill(),
  };
}

async function main() {
  const srv = await startTestServer();
  const client = startClient();
  await srv.api('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } });
  await srv.api('POST', 'pki/root/generate/internal', { common_name: 'bench root', key_type: 'ec', ttl: '87600h' });
  await srv.api('POST', 'pki/roles/ec', { allow_any_name: true, key_type: 'ec', ttl: '1h' });
  await srv.api('POST', 'pki/roles/rsa', { allow_any_name: true, key_type: 'rsa', ttl: '1h' });
  const healthUrl = `${srv.url}/v1/sys/health`;
  const issueCall = (role: string): Call => ({
    url: `${srv.url}/v1/pki/issue/${role}`, method: 'POST', status: 200, bodyEncoding: 'utf8',
    headers: { 'X-Vault-Token': srv.rootToken, 'Content-Type': 'application/json' }, body: JSON.stringify({ common_name: 'bench.example.com' }),
  });

  const profiled = process.argv[process.argv.indexOf('--profile') + 1];
  if (process.argv.includes('--profile') && (profiled === 'ec' || profiled === 'rsa')) {
    const r = await client.run({ kind: 'load', call: issueCall(profiled), count: profiled === 'ec' ? EC_COUNT : RSA_COUNT, concurrency: 8 });
    console.log(`issue ${profiled} c=8  ${fmt(r.rate)}/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms`);
    client.stop();
    await srv.close();
    return;
  }

  // Ceilings.
  const signerKey = await generateKey('ec', 256);
  const leafKey = await generateKey('ec', 256);
  // The bare library: X509CertificateGenerator.create with the issuer's key imported once and
  // the extensions a leaf of the `ec` role carries; the per-certificate ones (SKI, SAN) are
  // built per call, the role's and issuer's (KU, EKU, AKI) once.
  const signerAlg = signingAlgorithm(signerKey, 0, false);
  const signerCrypto = await cryptoSigningKey('bench', signerKey, signerAlg);
  const leafSpki = new Uint8Array(spkiOf(leafKey));
  const issuerName = subjectName({ common_name: 'bench root' });
  const fixedExtensions = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], false),
    new x509.AuthorityKeyIdentifierExtension((await x509.SubjectKeyIdentifierExtension.create(new Uint8Array(spkiOf(signerKey)))).keyId),
  ];
  const signOnce = async () => {
    await x509.X509CertificateGenerator.create({
      serialNumber: newSerialHex(), subject: subjectName({ common_name: 'bench.example.com' }), issuer: issuerName,
      notBefore: new Date(Date.now() - 30e3), notAfter: new Date(Date.now() + 3600e3), publicKey: leafSpki,
      signingKey: signerCrypto, signingAlgorithm: signerAlg.sign,
      extensions: [...fixedExtensions, await x509.SubjectKeyIdentifierExtension.create(leafSpki), new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'bench.example.com' }], false)],
    });
  };
  // Each ceiling at the concurrency it is compared with.
  const bareSign: Record<number, Rate> = {};
  const rsaKeygen: Record<number, Rate> = {};
  for (const c of [1, 8]) {
    bareSign[c] = await measure(EC_COUNT, c, signOnce);
    console.log(`ceiling  x509 create+sign (ec-256) c=${c}  ${fmt(bareSign[c]!.rate)}/s`);
  }
  const ecKeygen = await measure(EC_COUNT * 4, 8, async () => { await genKey('ec', { namedCurve: 'P-256' }); });
  console.log(`ceiling  keygen ec-256 c=8             ${fmt(ecKeygen.rate)}/s`);
  for (const c of [1, 8]) {
    rsaKeygen[c] = await measure(RSA_COUNT, c, async () => { await genKey('rsa', { modulusLength: 2048 }); });
    console.log(`ceiling  keygen rsa-2048 c=${c}           ${fmt(rsaKeygen[c]!.rate)}/s`);
  }
  const bare = createServer((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end('{}'); });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  const http = await client.run({ kind: 'load', count: EC_COUNT * 4, concurrency: 8, call: { url: bareUrl, method: 'POST', headers: {}, body: '{}', bodyEncoding: 'utf8', status: 200 } });
  bare.close();
  console.log(`ceiling  bare node:http POST (c=8)   ${fmt(http.rate)}/s`);

  // sys/health polled every 20 ms with nothing else running: the floor for the figures below.
  const idle = await client.run({ kind: 'poll', healthUrl, ms: 3000 });
  console.log(`ceiling  sys/health p99 idle (polled every ${HEALTH_EVERY_MS} ms)  ${fmt(pct(idle.health, 99))} ms  (client loop delay p99 ${fmt(idle.clientLoopP99)} ms)`);

  const targets: string[] = [];
  for (const concurrency of [1, 8]) {
    const ec = await client.run({ kind: 'load', call: issueCall('ec'), count: EC_COUNT, concurrency });
    targets.push(`ec-256 issue c=${concurrency} / x509 sign ceiling = ${fmt(ec.rate / bareSign[concurrency]!.rate)} (target >= 0.5)`);
    console.log(`issue ec-256   c=${concurrency}  ${fmt(ec.rate)}/s  p50 ${fmt(ec.p50)} ms  p99 ${fmt(ec.p99)} ms  (${fmt(ec.rate / bareSign[concurrency]!.rate)}x of the sign ceiling)`);
  }
  for (const concurrency of [1, 8]) {
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const { health, clientLoopP99, ...rsa } = await client.run({ kind: 'load', call: issueCall('rsa'), count: RSA_COUNT, concurrency, healthUrl });
    loop.disable();
    targets.push(`rsa-2048 issue c=${concurrency} / keygen ceiling = ${fmt(rsa.rate / rsaKeygen[concurrency]!.rate)} (target >= 0.8); `
      + `loop delay p99 ${fmt(loop.percentile(99) / 1e6)} ms, sys/health p99 ${fmt(pct(health, 99))} ms (targets < 20)`);
    console.log(`issue rsa-2048 c=${concurrency}  ${fmt(rsa.rate)}/s  p50 ${fmt(rsa.p50)} ms  p99 ${fmt(rsa.p99)} ms  (${fmt(rsa.rate / rsaKeygen[concurrency]!.rate)}x of keygen)  `
      + `loop delay p99 ${fmt(loop.percentile(99) / 1e6)} ms (max ${fmt(loop.max / 1e6)})  sys/health p99 ${fmt(pct(health, 99))} ms (max ${fmt(health[health.length - 1] ?? 0)}, ${health.length} polls; client loop delay p99 ${fmt(clientLoopP99)} ms)`);
  }

  // OCSP: one request for an issued leaf, POSTed over and over.
  const leafPem = (await srv.api('POST', 'pki/issue/ec', { common_name: 'ocsp.example.com' })).body.data.certificate as string;
  const rootPem = (await srv.api('GET', 'pki/issuer/default')).body.data.certificate as string;
  const ocspRequest = ocspRequestFor(leafPem, rootPem);
  const ocsp = await client.run({ kind: 'load', count: OCSP_COUNT, concurrency: 8, call: {
    url: `${srv.url}/v1/pki/ocsp`, method: 'POST', headers: { 'Content-Type': 'application/ocsp-request' },
    body: Buffer.from(ocspRequest).toString('base64'), bodyEncoding: 'base64', status: 200,
  } });
  console.log(`ocsp (POST, c=8)               ${fmt(ocsp.rate)}/s  p50 ${fmt(ocsp.p50)} ms  p99 ${fmt(ocsp.p99)} ms`);

  // CRLs at each size of revoked set, seeded straight into the mount's storage (each size adds
  // to the entries already there).
  const route = srv.core.unsealed.mounts.route('pki/crl');
  const storage = srv.core.unsealed.mounts.viewOf(route!.entry);
  const issuerId = (await srv.api('GET', 'pki/issuer/default')).body.data.issuer_id as string;
  const notAfter = Math.floor(Date.now() / 1000) + 3600;
  const entries: CrlEntry[] = [];
  for (const size of REVOKED) {
    while (entries.length < size) {
      const hex = newSerialHex();
      const revoked = revokedEntry(hex, notAfter - 3600, issuerId, '', notAfter);
      entries.push({ serialHex: hex, revokedAt: revoked.revocation_time, der: revoked.crl_entry });
      await putJson(storage, `revoked/${hex}`, revoked);
    }
    global.gc?.();
    const rss = process.memoryUsage().rss;
    let peak = rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    const rebuildLoop = monitorEventLoopDelay({ resolution: 1 });
    rebuildLoop.enable();
    const t = performance.now();
    await rebuildCrls(storage, Date.now());
    const rebuildMs = performance.now() - t;
    rebuildLoop.disable();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    console.log(`CRL rebuild ${String(size).padStart(6)} revoked (engine: storage reads, worker build, store): ${fmt(rebuildMs)} ms, `
      + `peak RSS +${fmt((peak - rss) / 2 ** 20)} MB (RSS ${fmt(peak / 2 ** 20)} MB), loop delay p99 ${fmt(rebuildLoop.percentile(99) / 1e6)} ms`);
    if (size !== REVOKED[0]) continue;
    // The two builders alone, same entries and key.
    const rootCert = new x509.X509Certificate(rootPem);
    const alg = signingAlgorithm(signerKey, 0, false);
    const now = new Date();
    let t2 = performance.now();
    await buildCrl({ keyId: 'bench', key: signerKey }, alg, { issuerCert: new Uint8Array(rootCert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600e3), number: 1, entries });
    const ours = performance.now() - t2;
    t2 = performance.now();
    await x509.X509CrlGenerator.create({
      issuer: rootCert.subjectName, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600e3), signingAlgorithm: alg.sign,
      signingKey: await cryptoSigningKey('bench', signerKey, alg),
      entries: entries.map((e) => ({ serialNumber: e.serialHex, revocationDate: new Date(e.revokedAt * 1000) })),
    });
    const theirs = performance.now() - t2;
    console.log(`CRL build ${size} entries: schema-class builder (stored entries) ${fmt(ours)} ms, X509CrlGenerator ${fmt(theirs)} ms (${fmt(theirs / ours)}x)`);
  }
  for (const line of targets) console.log(`target  ${line}`);
  client.stop();
  await srv.close();
}

/** An OCSPRequest (SHA-1 CertID) for `leafPem` under `issuerPem`. */
function ocspRequestFor(leafPem: string, issuerPem: string): Uint8Array<ArrayBuffer> {
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const issuer = AsnConvert.parse(der(issuerPem), Certificate).tbsCertificate;
  const leaf = AsnConvert.parse(der(leafPem), Certificate).tbsCertificate;
  const sha1 = (b: ArrayBuffer | Uint8Array) => new OctetString(createHash('sha1').update(new Uint8Array(b)).digest());
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: '1.3.14.3.2.26', parameters: null }),
    issuerNameHash: sha1(AsnConvert.serialize(issuer.subject)),
    issuerKeyHash: sha1(issuer.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: leaf.serialNumber,
  });
  return new Uint8Array(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) })));
}

if (process.argv.includes('--client')) {
  process.on('message', (job: ClientJob) => {
    clientJob(job).then((r) => process.send!(r), (err: Error) => process.send!({ rate: 0, p50: 0, p99: 0, health: [], clientLoopP99: 0, error: err.message }));
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
