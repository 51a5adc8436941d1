// A second Lockbox process that holds the transit key an auto-sealed server unseals with. It
// keeps its data in SQLite, so it can be killed and brought back (sealed, then unsealed with
// its one key) with the key intact; the seal's token may only encrypt and decrypt.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { call, freePort, spawnServer, unseal, writeConfig, type ServerProcess } from './process.js';

/** The environment without anything a Vault client or seal would read (VAULT_ADDR wins over the file). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|LOCKBOX|SOFTHSM)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export type TransitSealServer = {
  url: string;
  /** The token for the seal block: encrypt and decrypt on the key, nothing else. */
  sealToken: string;
  keyName: string;
  /** What the transit process printed over all its lives. */
  output(): string;
  /** Starts it again (sealed) after a kill. */
  restart(): Promise<void>;
  unseal(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
};

/** Starts, initialises and unseals a transit server in `dir`, with key `keyName`. */
export async function startTransitSealServer(dir: string, keyName = 'autounseal'): Promise<TransitSealServer> {
  const config = join(dir, 'transit.hcl');
  writeConfig(config, { db: join(dir, 'transit.db'), port: await freePort() });
  const logs: string[] = [];
  let proc: ServerProcess = await spawnServer(config, cleanEnv());
  const track = (p: ServerProcess) => void p.exited.then(() => logs.push(p.stdout(), p.stderr()));
  track(proc);
  const init = await call(proc.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  assert.equal(init.status, 200);
  const key = init.body.keys[0] as string;
  const root = init.body.root_token as string;
  assert.equal((await unseal(proc.url, [key])).sealed, false);
  const ok = async (r: Promise<{ status: number; body: any }>) => {
    const res = await r;
    assert.ok(res.status < 300, JSON.stringify(res.body));
    return res.body;
  };
  await ok(call(proc.url, 'POST', 'sys/mounts/transit', { token: root, body: { type: 'transit' } }));
  await ok(call(proc.url, 'POST', `transit/keys/${keyName}`, { token: root, body: {} }));
  const policy = `path "transit/encrypt/${keyName}" { capabilities = ["update"] }\npath "transit/decrypt/${keyName}" { capabilities = ["update"] }`;
  await ok(call(proc.url, 'PUT', 'sys/policies/acl/autounseal', { token: root, body: { policy } }));
  const created = await ok(call(proc.url, 'POST', 'auth/token/create', { token: root, body: { policies: ['autounseal'], no_default_policy: true, period: '24h' } }));
  const server: TransitSealServer = {
    url: proc.url, sealToken: created.auth.client_token as string, keyName,
    output: () => [...logs, proc.stdout(), proc.stderr()].join('\n'),
    restart: async () => {
      proc = await spawnServer(config, cleanEnv());
      track(proc);
    },
    unseal: async () => { assert.equal((await unseal(proc.url, [key])).sealed, false); },
    kill: async () => { await proc.stop('SIGKILL'); },
    stop: async () => { if (proc.proc.exitCode === null && proc.proc.signalCode === null) await proc.stop('SIGTERM'); },
  };
  return server;
}

/** The `seal "transit"` block for `t`; `extra` lines are added inside it. */
export function transitSealBlock(t: TransitSealServer, extra = ''): string {
  return `seal "transit" {\n  address = "${t.url}"\n  token = "${t.sealToken}"\n  key_name = "${t.keyName}"\n  mount_path = "transit/"\n${extra}}\n`;
}

/** Polls sys/seal-status until `sealed` is `want`, for at most `ms`. */
export async function waitSealed(url: string, want: boolean, ms = 20_000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await call(url, 'GET', 'sys/seal-status');
    if (s.body.sealed === want) return s.body;
    if (Date.now() > end) throw new Error(`still sealed=${String(s.body.sealed)} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
