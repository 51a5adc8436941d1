// `node --expose-gc dist/bench/pki-crl-build.js`: one CRL build at BENCH_CRL_ENTRIES revoked
// entries (default 100000, distinct serials and revocation seconds), from entries stored with
// their revocations (what revoke writes) and from entries stored without them (encoded during
// the build): wall and CPU time, and the peak growth of V8 heap plus external memory
// (ArrayBuffers) over the build, from V8's GC statistics. Ed25519 signatures are
// deterministic, so the two CRLs must be byte for byte the same; the bench says whether they
// are. Prints numbers, never decides pass/fail.
//   BENCH_CRL_ENTRIES (default 100000) · BENCH_CRL_ROUNDS (default 3; the median is printed)
import v8 from 'node:v8';
import { buildCertificate, newSerialHex, subjectName } from '../src/engines/pki/certs.js';
import { buildCrl, type CrlContents } from '../src/engines/pki/crl-build.js';
import { storedCrlEntry } from '../src/engines/pki/crl-entry.js';
import { generateKey, signingAlgorithm } from '../src/engines/pki/keys.js';

const ENTRIES = Number(process.env.BENCH_CRL_ENTRIES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_CRL_ROUNDS ?? 3);
const fmt = (n: number) => n.toFixed(1);

type Sample = { wallMs: number; cpuMs: number; peakMiB: number; der: Buffer };

/** One build, with its time and the peak heap + external growth V8's GCs saw during it. */
async function measure(build: () => Promise<Buffer>): Promise<Sample> {
  global.gc?.();
  const before = v8.getHeapStatistics();
  const base = before.used_heap_size + before.external_memory;
  const profiler = new v8.GCProfiler();
  profiler.start();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const der = await build();
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const end = v8.getHeapStatistics();
  let peak = end.used_heap_size + end.external_memory;
  for (const gc of profiler.stop().statistics) peak = Math.max(peak, gc.beforeGC.heapStatistics.usedHeapSize + gc.beforeGC.heapStatistics.externalMemory);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, peakMiB: (peak - base) / 2 ** 20, der };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  if (!global.gc) console.log('(run with --expose-gc for a clean heap baseline)');
  const key = await generateKey('ed25519', 0);
  const alg = signingAlgorithm(key, 0, false);
  const cert = await buildCertificate({
    subject: subjectName({ common_name: 'crl bench', organization: ['Lockbox'] }), publicKey: key, notBefore: new Date(), notAfter: new Date(Date.now() + 3600e3),
    serialHex: newSerialHex(), sans: { dns: [], ip: [], uri: [], email: [] }, isCa: true, keyUsage: 0, extKeyUsage: [], signatureBits: 0, usePss: false,
  }, { selfKey: key, keyId: 'crl-bench' });
  const signer = { keyId: 'crl-bench', key };
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const contents: CrlContents = {
    issuerCert: new Uint8Array(cert.rawData), thisUpdate: now, nextUpdate: new Date(now.getTime() + 72 * 3600e3), number: 42,
    entries: Array.from({ length: ENTRIES }, (_, i) => ({ serialHex: newSerialHex(), revokedAt: Math.floor(now.getTime() / 1000) - ENTRIES + i })),
  };
  const stored = { ...contents, entries: contents.entries.map((e) => ({ ...e, der: storedCrlEntry(e.serialHex, e.revokedAt) })) };
  const variants: Array<[string, () => Promise<Buffer>]> = [
    ['stored entries', () => buildCrl(signer, alg, stored)],
    ['unstored entries', () => buildCrl(signer, alg, contents)],
  ];
  for (const [, build] of variants) await build(); // warm-up
  const samples = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, build] of variants) samples.get(name)!.push(await measure(build));
  }
  const base = samples.get('stored entries')!;
  const baseCpu = median(base.map((s) => s.cpuMs));
  console.log(`CRL build, ${ENTRIES} entries, median of ${ROUNDS} (ed25519 issuer, ${base[0]!.der.length} bytes):`);
  for (const [name, runs] of samples) {
    const same = runs.every((s) => s.der.equals(base[0]!.der));
    console.log(`  ${name.padEnd(16)} wall ${fmt(median(runs.map((s) => s.wallMs))).padStart(7)} ms  cpu ${fmt(median(runs.map((s) => s.cpuMs))).padStart(7)} ms `
      + `(${fmt(median(runs.map((s) => s.cpuMs)) / baseCpu)}x)  peak heap+external +${fmt(median(runs.map((s) => s.peakMiB)))} MiB  `
      + `same bytes as from stored: ${same ? 'yes' : 'NO'}`);
  }
}

await main();
