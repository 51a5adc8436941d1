// HTTPS: the CLI verifies the server's certificate against VAULT_CACERT / LOCKBOX_CACERT or
// -ca-cert, skips verification only when asked (-tls-skip-verify, VAULT_SKIP_VERIFY), and
// refuses an unknown certificate otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { cliFor, type Cli } from './helpers.js';

let dir: string;
let server: RunningServer | undefined;
let cli: Cli;
let cert: string;
let opensslMissing: string | false = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-tls-'));
  cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=lockbox-test', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' });
  } catch {
    opensslMissing = 'openssl is needed to make a test certificate';
    return;
  }
  server = await startServer({
    dev: true, storage: { type: 'memory' }, logSink: () => {},
    listener: { address: '127.0.0.1:0', tlsCertFile: cert, tlsKeyFile: key },
  });
  cli = cliFor(server.url, server.rootToken);
});
after(async () => {
  cli?.cleanup();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an unknown certificate is refused: exit 2 with a TLS message', async (t) => {
  if (opensslMissing) return t.skip(opensslMissing);
  assert.match(server?.url ?? '', /^https:/);
  const r = await cli.run(['read', 'cubbyhole/x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tls: failed to verify certificate/);
  assert.equal((await cli.run(['status'])).code, 1);
});

test('the CA from VAULT_CACERT, LOCKBOX_CACERT or -ca-cert is trusted', async (t) => {
  if (opensslMissing) return t.skip(opensslMissing);
  for (const [args, env] of [[[], { VAULT_CACERT: cert }], [[], { LOCKBOX_CACERT: cert }], [[`-ca-cert=${cert}`], {}]] as const) {
    const r = await cli.run(['status', ...args], { env });
    assert.equal(r.code, 0, r.stderr);
  }
  const missing = await cli.run(['status', `-ca-cert=${join(dir, 'absent.pem')}`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /absent\.pem/);
});

test('-tls-skip-verify and VAULT_SKIP_VERIFY skip verification', async (t) => {
  if (opensslMissing) return t.skip(opensslMissing);
  assert.equal((await cli.run(['status', '-tls-skip-verify'])).code, 0);
  assert.equal((await cli.run(['status'], { env: { VAULT_SKIP_VERIFY: 'true' } })).code, 0);
  assert.equal((await cli.run(['status'], { env: { VAULT_SKIP_VERIFY: 'false' } })).code, 1);
});
