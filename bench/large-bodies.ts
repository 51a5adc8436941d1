// sys/health and KV read latency while 8 clients send 30 MB bodies without a token, for one or
// more builds of the server (e.g. main's and this branch's), so the effect of reading bodies
// only after the token and ACL is visible as numbers. Each build's server runs in its own
// process, the 8 senders in another, the measuring client here. Prints numbers; never pass/fail.
//   node dist/bench/large-bodies.js [label=path/to/dist/src/server/start.js ...]
//   BENCH_SECONDS (default 8). Without arguments it measures this build only.
import { fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BODY_BYTES = 30 * 1024 * 1024;
const SENDERS = 8;
const self = fileURLToPath(import.meta.url);

/** Server side: starts a dev server from the given build and reports its URL and root token. */
async function serve(startModule: string): Promise<void> {
  const { startServer } = await import(pathToFileURL(startModule).href) as typeof import('../src/server/start.js');
  const server = await startServer({ dev: true, storage: { type: 'memory' }, listener: { address: '127.0.0.1:0' }, logSink: () => {} });
  const res = await fetch(`${server.url}/v1/secret/data/bench`, { method: 'POST', headers: { 'X-Vault-Token': server.rootToken! }, body: JSON.stringify({ data: { v: 'x' } }) });
  if (res.status !== 200) throw new Error(`setup write failed: ${res.status}`);
  process.send?.({ url: server.url, token: server.rootToken });
}

/** Sender side: SENDERS connections, each posting 30 MB JSON bodies without a token, forever. */
function attack(url: string): void {
  const u = new URL(url);
  const head = Buffer.from(`POST /v1/secret/data/big HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`);
  const prefix = '{"data":{"v":"';
  const suffix = '"}}';
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const sender = () => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    socket.on('error', () => {});
    socket.on('close', () => setTimeout(sender, 10));
    let answered = 0;
    socket.on('data', (d) => { answered += d.toString('latin1').split('HTTP/1.1 ').length - 1; });
    const send = async () => {
      for (;;) {
        const before = answered;
        socket.write(head);
        socket.write(prefix);
        let left = BODY_BYTES - prefix.length - suffix.length;
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
          if (socket.destroyed) return;
        }
        socket.write(suffix);
        while (answered === before && !socket.destroyed) await new Promise((r) => setTimeout(r, 5));
        if (socket.destroyed) return;
      }
    };
    socket.once('connect', () => void send());
  };
  for (let i = 0; i < SENDERS; i++) sender();
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Sequential requests on one keep-alive client for `seconds`; latencies in ms. */
async function sample(url: string, headers: Record<string, string>, seconds: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    out.push(performance.now() - t);
  }
  return out;
}

async function measure(label: string, startModule: string, seconds: number): Promise<void> {
  const server = fork(self, ['--serve', startModule]);
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve) => server.once('message', (m) => resolve(m as never)));
  const run = async (phase: string) => {
    const [health, kv] = await Promise.all([
      sample(`${url}/v1/sys/health`, {}, seconds),
      sample(`${url}/v1/secret/data/bench`, { 'X-Vault-Token': token }, seconds),
    ]);
    const line = (name: string, xs: number[]) => `${name} p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms (${xs.length} requests)`;
    console.log(`${label.padEnd(10)} ${phase.padEnd(22)} ${line('sys/health', health)} | ${line('KV read', kv)}`);
  };
  await run('idle');
  const senders = fork(self, ['--attack', url]);
  await new Promise((r) => setTimeout(r, 1000));
  await run(`${SENDERS} x 30 MB, no token`);
  senders.kill();
  server.kill();
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--serve') await serve(arg as string);
else if (mode === '--attack') attack(arg as string);
else {
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const targets = process.argv.slice(2).map((a) => a.split('=') as [string, string]);
  if (targets.length === 0) targets.push(['this', fileURLToPath(new URL('../src/server/start.js', import.meta.url))]);
  for (const [label, module] of targets) await measure(label, module, seconds);
}
