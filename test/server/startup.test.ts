// What `lockbox server` says at start: its help with every flag and env var, Vault's
// configuration summary, warnings for settings it does not apply, the next step on a new
// server, config errors with file:line:column, and a cluster identity kept across restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLockbox } from '../cli/helpers.js';
import { spawn } from 'node:child_process';
import { BIN, call, freePort, spawnServer, unseal, writeConfig } from './process.js';

/** Resolves once `ready()` holds: output arrives on two pipes, in chunks, in no set order. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('server -h lists every flag with its default and the env vars that set it', async () => {
  const r = await runLockbox(['server', '-h'], {});
  assert.equal(r.code, 0);
  for (const flag of ['-config=<string>', '-dev', '-dev-root-token-id=<string>', '-dev-listen-address=<string>', '-log-level=<string>', '-log-format=<string>']) {
    assert.ok(r.stderr.includes(`\n  ${flag}\n`), flag);
  }
  for (const env of ['VAULT_DEV_ROOT_TOKEN_ID', 'VAULT_DEV_LISTEN_ADDRESS', 'VAULT_LOG_LEVEL', 'LOCKBOX_LOG_LEVEL', 'LOCKBOX_DEV_ROOT_TOKEN_ID']) {
    assert.ok(r.stderr.replace(/\s+/g, ' ').includes(env), env);
  }
  assert.match(r.stderr, /The default is 127\.0\.0\.1:8200\./);
});

test('config errors: a missing file, and a syntax error with line and column; exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-startup-'));
  try {
    const missing = await runLockbox(['server', `-config=${join(dir, 'nope.hcl')}`], {});
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `Error loading configuration from ${join(dir, 'nope.hcl')}: open ${join(dir, 'nope.hcl')}: no such file or directory\n`);
    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, 'storage "sqlite" {\n  path = "x.db"\n}\nlistener "tcp" {\n  address = \n}\n');
    const syntax = await runLockbox(['server', `-config=${bad}`], {});
    assert.equal(syntax.code, 1);
    assert.equal(syntax.stderr, `Error loading configuration from ${bad}: ${bad}: invalid HCL: At 6:1: Unknown token: RBRACE\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start-up: the configuration summary, warnings by name, the next step, and a cluster id that survives restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-startup-'));
  const config = join(dir, 'lockbox.hcl');
  writeConfig(config, { db: join(dir, 'lockbox.db'), port: await freePort(), extra: 'disable_mlock = true\nshiny = true\n' });
  let server = await spawnServer(config);
  try {
    await until(() => /not initialized yet/.test(server.stdout()) && /"shiny"/.test(server.stderr()));
    assert.match(server.stdout(), /==> Lockbox server configuration:\n\n\s+Api Address: http:\/\/127\.0\.0\.1:\d+\n\s+Cluster Address: .*\n\s+Listener 1: tcp \(addr: "127\.0\.0\.1:\d+", tls: "disabled"\)\n\s+Log Level: info\n\s+Seal Type: shamir\n\s+Storage: sqlite\n\s+UI: false\n\s+Version: Lockbox v\S+ \(Vault API [\d.]+\)\n\n==> Lockbox server started!/);
    assert.match(server.stdout(), /The server is not initialized yet: run "lockbox operator init"/);
    assert.match(server.stderr(), /\[WARN\] configuration key "disable_mlock" is not supported by Lockbox and is ignored/);
    assert.match(server.stderr(), /\[WARN\] unknown configuration key "shiny" is ignored/);
    const init = await call(server.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    await unseal(server.url, init.body.keys);
    const first = (await call(server.url, 'GET', 'sys/health')).body;
    assert.match(first.cluster_id, /^[0-9a-f-]{36}$/);
    assert.match(first.cluster_name, /^lockbox-cluster-[0-9a-f]{8}$/);
    await server.stop();
    server = await spawnServer(config);
    assert.doesNotMatch(server.stdout(), /not initialized/);
    await unseal(server.url, init.body.keys);
    const second = (await call(server.url, 'GET', 'sys/health')).body;
    assert.deepEqual([second.cluster_id, second.cluster_name], [first.cluster_id, first.cluster_name]);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-dev honours VAULT_DEV_ROOT_TOKEN_ID and -log-level overrides the environment', async () => {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, 'server', '-dev', '-log-level=debug'], {
    env: { PATH: process.env.PATH, VAULT_DEV_ROOT_TOKEN_ID: 'dev-root', VAULT_DEV_LISTEN_ADDRESS: `127.0.0.1:${port}`, VAULT_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  try {
    await new Promise<void>((resolve) => { const check = () => { if (out.includes('Root Token:')) resolve(); }; proc.stdout.on('data', check); });
    assert.match(out, /Log Level: debug/);
    assert.match(out, /Root Token: dev-root/);
    const me = await call(`http://127.0.0.1:${port}`, 'GET', 'auth/token/lookup-self', { token: 'dev-root' });
    assert.deepEqual(me.body.data.policies, ['root']);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.once('exit', resolve));
  }
});
