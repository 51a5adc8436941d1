// `node dist/bench/transit.js`: transit encrypt (aes256-gcm96, 200-byte plaintext), sign
// (ed25519) and 1,000-item batch encrypt, on a Lockbox server without and with a file audit
// device, beside the bare node:http ceiling of the same run. Prints numbers; never pass/fail.
//   BENCH_SECONDS (default 5)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runLoad, startChild, stopChild } from './processes.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A fresh SQLite-backed server, initialised and unsealed, with transit keys; audit optional. */
async function transitServer(dir: string, name: string, audit: boolean) {
  const config = join(dir, `${name}.hcl`);
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, `${name}.db`)}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const { child, match } = await startChild([join(repoRoot, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/);
  const base = match[1] as string;
  const init = await call(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await call(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const token = init.root_token as string;
  await call(base, token, 'POST', 'sys/mounts/transit', { type: 'transit' });
  await call(base, token, 'POST', 'transit/keys/aes', { type: 'aes256-gcm96' });
  await call(base, token, 'POST', 'transit/keys/ed', { type: 'ed25519' });
  if (audit) await call(base, token, 'PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, `${name}-audit.log`) } });
  return { child, base, token };
}

/**
 * 1,000-item batch encrypts from this process (the body is too large for the load
 * generator's command line), two requests in flight, for BENCH_SECONDS.
 */
async function batchRun(base: string, token: string, plaintext: string, ceilingRps: number) {
  const body = JSON.stringify({ batch_input: Array.from({ length: 1000 }, () => ({ plaintext })) });
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const start = performance.now();
      const res = await fetch(`${base}/v1/transit/encrypt/aes`, { method: 'POST', headers: { 'X-Vault-Token': token }, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`batch encrypt answered ${res.status}`);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all([worker(), worker()]);
  latencies.sort((a, b) => a - b);
  const rps = latencies.length / seconds;
  return { rps: Math.round(rps), p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0), ratio: rps / ceilingRps, items: Math.round(rps * 1000) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-transit-'));
  const ceiling = await startChild([join(repoRoot, 'dist/bench/ceiling-server.js')], /(http:\/\/\S+)/);
  const plaintext = randomBytes(200).toString('base64');
  const rows: Array<{ name: string; rps: number; p99: number; ratio: number; items?: number }> = [];
  try {
    const top = await runLoad({ url: ceiling.match[1] as string, durationSeconds: seconds });
    rows.push({ name: 'node:http ceiling', rps: top.rps, p99: top.p99, ratio: 1 });
    for (const audit of [false, true]) {
      const srv = await transitServer(dir, audit ? 'audit' : 'plain', audit);
      try {
        const headers = { 'X-Vault-Token': srv.token };
        const suffix = audit ? ' (file audit)' : '';
        const run = async (name: string, path: string, body: unknown) => {
          const r = await runLoad({ url: `${srv.base}/v1/${path}`, method: 'POST', headers, body: JSON.stringify(body), durationSeconds: seconds });
          if (r.failed > 0) process.stderr.write(`  ${name}: ${r.failed} failed requests\n`);
          rows.push({ name: name + suffix, rps: r.rps, p99: r.p99, ratio: r.rps / top.rps });
        };
        await run('transit/encrypt aes256-gcm96, 200 B', 'transit/encrypt/aes', { plaintext });
        await run('transit/sign ed25519', 'transit/sign/ed', { input: plaintext });
        rows.push({ ...(await batchRun(srv.base, srv.token, plaintext, top.rps)), name: `transit/encrypt batch of 1,000${suffix}` });
      } finally {
        await stopChild(srv.child);
      }
    }
  } finally {
    await stopChild(ceiling.child);
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(48) : c.padStart(12))).join(' ');
  console.log(line(['scenario', 'req/s', 'p99 ms', 'vs ceiling', 'items/s']));
  for (const r of rows) console.log(line([r.name, String(r.rps), String(r.p99), `${(r.ratio * 100).toFixed(1)}%`, r.items === undefined ? '' : String(r.items)]));
}

await main();
