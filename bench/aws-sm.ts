// GetSecretValue through the AWS protocol against the Vault KV v2 read of the same value,
// through one load generator in one run (alternating rounds, same audit setting: none).
// Every aws-sm request is freshly signed in the generator (SigV4, as an SDK would), so the
// number includes the server's signature check and the sigv4 login per request.
// The server runs here; autocannon runs in a forked copy of this file. Prints numbers and the
// ratio aws-sm / kv (goal >= 0.8); never pass/fail.
//   node dist/bench/aws-sm.js        BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start.js';
import { computeSignature, sha256Hex } from '../src/auth/sigv4/signature.js';
import { childLoad, loadArgument, mean, meanRow, measureInChild } from './forked-load.js';
import type { LoadResult } from './load.js';

type Load = { kind: 'kv' | 'aws'; url: string; token: string; key: { id: string; secret: string }; seconds: number; connections: number };

/** SigV4 headers for one GetSecretValue, dated now, signed by the same code the server checks with. */
function signedHeaders(load: Load, body: string): Record<string, string> {
  const host = new URL(load.url).host;
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', host, 'x-amz-date': amzDate, 'x-amz-target': 'secretsmanager.GetSecretValue' };
  const signedHeaderNames = Object.keys(headers).sort();
  const auth = { accessKeyId: load.key.id, date: amzDate.slice(0, 8), region: 'us-east-1', service: 'secretsmanager', signedHeaders: signedHeaderNames, signature: '' };
  const signature = computeSignature(load.key.secret, auth, amzDate, { method: 'POST', rawPath: '/', rawQuery: '', headers, bodySha256: sha256Hex(body) });
  const { host: _host, ...rest } = headers;
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  return { ...rest, authorization: `AWS4-HMAC-SHA256 Credential=${load.key.id}/${scope}, SignedHeaders=${signedHeaderNames.join(';')}, Signature=${signature}` };
}

/** autocannon options for one kind; both go through setupRequest, so per-request work is comparable. */
function awsLoadOptions(load: Load): Record<string, unknown> {
  const body = JSON.stringify({ SecretId: 'bench/value' });
  const setupRequest = (req: Record<string, unknown>) => (load.kind === 'aws'
    ? { ...req, method: 'POST', path: '/', body, headers: signedHeaders(load, body) }
    : { ...req, method: 'GET', path: '/v1/secret/data/bench/value', headers: { 'X-Vault-Token': load.token } });
  return { url: load.url, connections: load.connections, duration: load.seconds, requests: [{ setupRequest }] };
}

const measure = (load: Load) => measureInChild(fileURLToPath(import.meta.url), load);
const row = (name: string, rs: LoadResult[]) => meanRow(name, 26, rs);

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
    const kv: LoadResult[] = [];
    const aws: LoadResult[] = [];
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

const childOf = loadArgument<Load>();
if (childOf) childLoad(awsLoadOptions(childOf));
else await main();
