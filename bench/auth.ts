// `node dist/bench/auth.js`: AppRole logins issuing service tokens (each one a durable token
// write) and batch tokens (nothing written), and userpass logins, on a SQLite-backed server,
// beside the bare node:http ceiling of the same run and the scrypt-only ceiling that bounds
// userpass. Prints numbers; never pass/fail.
//   BENCH_SECONDS (default 5)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { scrypt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runLoad, startChild, stopChild } from './processes.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}/v1/${path}`, { method, headers: token ? { 'X-Vault-Token': token } : {}, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A fresh SQLite-backed server with approle (service), approle-batch (batch) and userpass mounts. */
async function authServer(dir: string) {
  const config = join(dir, 'auth.hcl');
  writeFileSync(config, `storage "sqlite" { path = "${join(dir, 'auth.db')}" }\nlistener "tcp" {\n address = "127.0.0.1:0"\n tls_disable = true\n}\n`);
  const { child, match } = await startChild([join(repoRoot, 'bin/lockbox'), 'server', `-config=${config}`], /Listening on (http:\/\/\S+)/);
  const base = match[1] as string;
  const init = await call(base, '', 'PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await call(base, '', 'PUT', 'sys/unseal', { key: init.keys[0] });
  const token = init.root_token as string;
  const creds: Record<string, { role_id: string; secret_id: string }> = {};
  for (const [path, tokenType] of [['approle', 'default-service'], ['approle-batch', 'batch']] as const) {
    await call(base, token, 'POST', `sys/auth/${path}`, { type: 'approle', config: { token_type: tokenType } });
    await call(base, token, 'POST', `auth/${path}/role/bench`, { token_policies: 'default', token_ttl: '1h' });
    const roleId = (await call(base, token, 'GET', `auth/${path}/role/bench/role-id`)).data.role_id;
    const secretId = (await call(base, token, 'POST', `auth/${path}/role/bench/secret-id`)).data.secret_id;
    creds[path] = { role_id: roleId, secret_id: secretId };
  }
  await call(base, token, 'POST', 'sys/auth/userpass', { type: 'userpass' });
  await call(base, token, 'POST', 'auth/userpass/users/bench', { password: 'bench-password' });
  return { child, base, creds };
}

/** scrypt with userpass's parameters, four at a time (libuv's default pool), for BENCH_SECONDS. */
async function scryptCeiling(): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const one = () => new Promise<void>((resolve, reject) => scrypt('bench-password', 'saltsaltsaltsalt', 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 }, (err) => (err ? reject(err) : resolve())));
  const worker = async () => { while (Date.now() < end) { await one(); done++; } };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return Math.round(done / seconds);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-bench-auth-'));
  const ceiling = await startChild([join(repoRoot, 'dist/bench/ceiling-server.js')], /(http:\/\/\S+)/);
  const rows: Array<{ name: string; rps: number; p99: number; ratio: number }> = [];
  try {
    const top = await runLoad({ url: ceiling.match[1] as string, durationSeconds: seconds });
    rows.push({ name: 'node:http ceiling', rps: top.rps, p99: top.p99, ratio: 1 });
    const srv = await authServer(dir);
    try {
      const run = async (name: string, path: string, body: unknown, connections?: number) => {
        const r = await runLoad({ url: `${srv.base}/v1/${path}`, method: 'POST', body: JSON.stringify(body), durationSeconds: seconds, connections });
        if (r.failed > 0) process.stderr.write(`  ${name}: ${r.failed} failed requests\n`);
        rows.push({ name, rps: r.rps, p99: r.p99, ratio: r.rps / top.rps });
      };
      await run('approle login, service tokens (durable)', 'auth/approle/login', srv.creds.approle);
      await run('approle login, batch tokens', 'auth/approle-batch/login', srv.creds['approle-batch']);
      await run('userpass login (scrypt N=2^15)', 'auth/userpass/login/bench', { password: 'bench-password' }, 8);
    } finally {
      await stopChild(srv.child);
    }
    const s = await scryptCeiling();
    rows.push({ name: 'scrypt alone, same parameters, 4 at a time', rps: s, p99: 0, ratio: s / top.rps });
  } finally {
    await stopChild(ceiling.child);
    rmSync(dir, { recursive: true, force: true });
  }
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(48) : c.padStart(12))).join(' ');
  console.log(line(['scenario', 'req/s', 'p99 ms', 'vs ceiling']));
  for (const r of rows) console.log(line([r.name, String(r.rps), String(r.p99), `${(r.ratio * 100).toFixed(1)}%`]));
}

await main();
