// GetSecretValue through the AWS protocol against the Vault KV v2 read of the same value,
// through one load generator in one run (alternating rounds, same audit setting: none).
// Every aws-sm request is freshly signed in the generator (SigV4, as an SDK would), so the
// number includes the server's signature check and the sigv4 login per request.
// The server runs here; autocannon runs in a forked copy of this file. Prints numbers and the
// ratio aws-sm / kv (goal >= 0.8); never pass/fail.
//   node dist/bench/aws-sm.js        BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2)
import { fork } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start.js';

type Load = { kind: 'kv' | 'aws'; url: string; token: string; key: { id: string; secret: string }; seconds: number; connections: number };
type Result = { rps: number; p50: number; p99: number; ok: number; failed: number };

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** SigV4 headers for one GetSecretValue, dated now. */
function signedHeaders(load: Load, body: string): Record<string, string> {
  const host = new URL(load.url).host;
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', host, 'x-amz-date': amzDate, 'x-amz-target': 'secretsmanager.GetSecretValue' };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', '', names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/secretsmanager/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${load.key.secret}`, amzDate.slice(0, 8)), 'us-east-1'), 'secretsmanager'), 'aws4_request');
  const signature = createHmac('sha256', key).update(['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')).digest('hex');
  const { host: _h, ...rest } = headers;
  return { ...rest, authorization: `AWS4-HMAC-SHA256 Credential=${load.key.id}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/** Child side: one autocannon run, its summary sent back over IPC. */
function runAutocannon(load: Load): void {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as (o: Record<string, unknown>, cb: (err: unknown, r: any) => void) => void;
  const body = JSON.stringify({ SecretId: 'bench/value' });
  // Both kinds go through setupRequest, so the generator does comparable work per request.
  const setupRequest = (req: Record<string, unknown>) => (load.kind === 'aws'
    ? { ...req, method: 'POST', path: '/', body, headers: signedHeaders(load, body) }
    : { ...req, method: 'GET', path: '/v1/secret/data/bench/value', headers: { 'X-Vault-Token': load.token } });
  autocannon({ url: load.url, connections: load.connections, duration: load.seconds, requests: [{ setupRequest }] }, (err, r) => {
    if (err) throw err;
    const result: Result = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], failed: r.non2xx + r.errors + r.timeouts };
    process.send?.(result, () => process.exit(0));
  });
}

function measure(load: Load): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load', JSON.stringify(load)]);
    child.once('message', (m) => resolve(m as Result));
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${code}`)); });
  });
}

const mean = (rs: Result[], k: keyof Result) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
const row = (name: string, rs: Result[]) =>
  `${name.padEnd(26)} ${mean(rs, 'rps').toFixed(0).padStart(8)} req/s   p50 ${mean(rs, 'p50').toFixed(2).padStart(6)} ms   p99 ${mean(rs, 'p99').toFixed(2).padStart(6)} ms   failed ${mean(rs, 'failed')}`;

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-aws-'));
  const server = await startServer({ dev: true, storage: { type: 'sqlite', path: join(dir, 'lockbox.db') }, listener: { address: '127.0.0.1:0' }, logSink: () => {} });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': server.rootToken }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : (await res.json()) as any;
  };
  try {
    await api('POST', 'sys/mounts/aws-sm', { type: 'aws-sm' });
    await api('POST', 'sys/auth/sigv4', { type: 'sigv4' });
    await api('PUT', 'sys/policies/acl/bench', { policy: 'path "secret/data/bench/*" { capabilities = ["read"] }\npath "aws-sm/data/bench/*" { capabilities = ["read", "create", "update"] }' });
    await api('POST', 'auth/sigv4/role/bench', { token_policies: ['bench'] });
    const key = (await api('POST', 'auth/sigv4/role/bench/keys')).data;
    const token = (await api('POST', 'auth/token/create', { policies: ['bench'] })).auth.client_token as string;
    const value = 'x'.repeat(256);
    await api('PUT', 'secret/data/bench/value', { data: { value } });
    await api('POST', 'aws-sm/data/bench/value', { action: 'CreateSecret', input: { Name: 'bench/value', SecretString: JSON.stringify({ value }), ClientRequestToken: 'b'.repeat(32) } });
    const base = { url: server.url, token, key: { id: key.access_key_id, secret: key.secret_access_key }, seconds, connections: 32 };
    const kv: Result[] = [];
    const aws: Result[] = [];
    for (let i = 0; i < rounds; i++) {
      kv.push(await measure({ ...base, kind: 'kv' }));
      aws.push(await measure({ ...base, kind: 'aws' }));
    }
    console.log(`${rounds} rounds of ${seconds}s, 32 connections, sqlite, no audit device`);
    console.log(row('kv v2 read', kv));
    console.log(row('aws-sm GetSecretValue', aws));
    console.log(`ratio aws-sm/kv: ${(mean(aws, 'rps') / mean(kv, 'rps')).toFixed(2)} req/s, p99 ${(mean(aws, 'p99') / Math.max(mean(kv, 'p99'), 0.001)).toFixed(2)}x`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--load');
if (at !== -1) runAutocannon(JSON.parse(process.argv[at + 1]!) as Load);
else await main();
