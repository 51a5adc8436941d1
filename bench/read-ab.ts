// `node dist/bench/read-ab.js <baseline dir> [candidate dir]`: an A/B of the hot read paths
// between two builds (each a checkout with dist/ built), both servers in this one process
// (in-memory storage, dev mode), driven by a minimal keep-alive HTTP client in the same
// process. The two builds take turns in short slices, many times over, and each slice's time
// per request is compared with the other build's slice beside it: on a machine shared with
// other work, load swings then weigh on both alike, which separate runs cannot promise.
// Prints per scenario the median time per request of each build and the median paired ratio.
//   AB_SLICES (default 40)   AB_SLICE_REQUESTS (default 400)   AB_CONNECTIONS (default 8)
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { api, repoRoot } from './processes.js';

const slices = Number(process.env.AB_SLICES ?? 40);
const perSlice = Number(process.env.AB_SLICE_REQUESTS ?? 400);
const connections = Number(process.env.AB_CONNECTIONS ?? 8);

type Started = { url: string; rootToken: string; close(): Promise<void> };
type StartServer = (opts: Record<string, unknown>) => Promise<Started>;

/** Starts one build's server in this process: dev mode, kv-v2 at secret/, a policy token, maybe a file audit device. */
async function start(root: string, dir: string, name: string, audit: boolean) {
  const { startServer } = (await import(join(resolve(root), 'dist/src/server/start.js'))) as { startServer: StartServer };
  const server = await startServer({ dev: true, storage: { type: 'memory' }, listener: { address: '127.0.0.1:0' }, logSink: () => {}, ui: false });
  const { url, rootToken: root_ } = server;
  const mounts = await api(url, root_, 'GET', 'sys/mounts');
  if (!mounts['secret/']) await api(url, root_, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  if (audit) await api(url, root_, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `${name}.log`) } });
  await api(url, root_, 'PUT', 'sys/policies/acl/bench', { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "list"] }' });
  const token = (await api(url, root_, 'POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
  await api(url, token, 'POST', 'secret/data/bench', { data: { username: 'app', password: 'p4ssw0rd' } });
  return { server, url, root: root_, token };
}

/** Keep-alive connections that send one request at a time each and count complete answers. */
async function client(url: string, path: string, token: string) {
  const { hostname, port } = new URL(url);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-Vault-Token: ${token}\r\n\r\n`);
  const sockets: Socket[] = [];
  for (let i = 0; i < connections; i++) {
    sockets.push(await new Promise<Socket>((ok, fail) => { const s = connect(Number(port), hostname, () => ok(s)); s.once('error', fail); }));
  }
  /** Sends `n` requests over the connections; resolves with the seconds it took. */
  const run = (n: number) => new Promise<number>((done, fail) => {
    let sent = 0;
    let answered = 0;
    const started = performance.now();
    for (const s of sockets) {
      let buf = '';
      s.removeAllListeners('data');
      s.on('data', (chunk: Buffer) => {
        buf += chunk.toString('latin1');
        for (;;) {
          const head = buf.indexOf('\r\n\r\n');
          if (head === -1) return;
          const m = /content-length: (\d+)/i.exec(buf.slice(0, head));
          const end = head + 4 + (m ? Number(m[1]) : 0);
          if (buf.length < end) return;
          if (!buf.startsWith('HTTP/1.1 200')) return fail(new Error(`unexpected answer: ${buf.slice(0, 200)}`));
          buf = buf.slice(end);
          answered++;
          if (answered === n) return done((performance.now() - started) / 1000);
          if (sent < n) { sent++; s.write(request); }
        }
      });
      if (sent < n) { sent++; s.write(request); }
    }
  });
  return { run, close: () => sockets.forEach((s) => s.destroy()) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const baselineRoot = process.argv[2];
  if (!baselineRoot) throw new Error('usage: read-ab.js <baseline dir> [candidate dir]');
  const candidateRoot = process.argv[3] ?? repoRoot;
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-ab-'));
  const builds = [await start(baselineRoot, dir, 'base', true), await start(candidateRoot, dir, 'cand', true)];
  const bare = [await start(baselineRoot, dir, 'base-bare', false), await start(candidateRoot, dir, 'cand-bare', false)];
  const scenarios = [
    ['kv v2 read (ACL + file audit)', () => builds.map((b) => client(b.url, '/v1/secret/data/bench', b.token))],
    ['token lookup-self (ACL + audit)', () => builds.map((b) => client(b.url, '/v1/auth/token/lookup-self', b.token))],
    ['kv v2 read (root, no audit)', () => bare.map((b) => client(b.url, '/v1/secret/data/bench', b.root))],
  ] as const;
  console.log(`${'scenario'.padEnd(34)} ${'base µs/req'.padStart(12)} ${'cand µs/req'.padStart(12)} ${'cand/base'.padStart(10)}`);
  try {
    for (const [name, clients] of scenarios) {
      // Connected only now: an idle keep-alive connection would be timed out meanwhile.
      const [a, b] = await Promise.all(clients());
      // Warm-up: both builds' code paths compiled before anything counts.
      for (let i = 0; i < 5; i++) { await a!.run(perSlice); await b!.run(perSlice); }
      const times: [number[], number[]] = [[], []];
      const paired: number[] = [];
      for (let i = 0; i < slices; i++) {
        // Alternate which goes first, so neither always follows the other.
        const first = i % 2 === 0 ? a! : b!;
        const second = i % 2 === 0 ? b! : a!;
        const t1 = await first.run(perSlice);
        const t2 = await second.run(perSlice);
        const [ta, tb] = i % 2 === 0 ? [t1, t2] : [t2, t1];
        times[0].push((ta * 1e6) / perSlice);
        times[1].push((tb * 1e6) / perSlice);
        paired.push(tb / ta);
      }
      a!.close();
      b!.close();
      console.log(`${name.padEnd(34)} ${median(times[0]).toFixed(1).padStart(12)} ${median(times[1]).toFixed(1).padStart(12)} ${median(paired).toFixed(3).padStart(10)}`);
    }
  } finally {
    for (const b of [...builds, ...bare]) await b.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
