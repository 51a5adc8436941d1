// The hvac compatibility suite: suite.py drives real Lockbox servers with hvac 0.11.2 (Debian's
// python3-hvac, run under /usr/bin/python3) the way a Python application does. Each test here
// runs one section of the script; a failing check fails the test with hvac's own output.
//
// The servers run in this process, so the script runs asynchronously (a synchronous spawn
// would block the event loop the servers answer on).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leaseEngine } from '../../helpers/lease-engine.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const PYTHON = '/usr/bin/python3';
// The script is not compiled: dist/test/compat/hvac/ → test/compat/hvac/suite.py.
const SCRIPT = fileURLToPath(new URL('../../../../test/compat/hvac/suite.py', import.meta.url));

let dev: TestServer;
let fresh: TestServer;
let rekeyed: TestServer;
let auditDir: string;
before(async () => {
  dev = await startTestServer({ extraEngines: leaseEngine().factories });
  fresh = await startTestServer({ dev: false });
  rekeyed = await startTestServer({ dev: false });
  auditDir = mkdtempSync(join(tmpdir(), 'lockbox-hvac-'));
});
after(async () => {
  await Promise.all([dev.close(), fresh.close(), rekeyed.close()]);
  rmSync(auditDir, { recursive: true, force: true });
});

/** Runs sections of suite.py; resolves with its output, or fails with it. */
function runSuite(...sections: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LOCKBOX_URL: dev.url,
    LOCKBOX_TOKEN: dev.rootToken,
    LOCKBOX_FRESH_URL: fresh.url,
    LOCKBOX_REKEY_URL: rekeyed.url,
    LOCKBOX_AUDIT_DIR: auditDir,
    // hvac would otherwise pick these up from the environment of whoever runs the tests.
    VAULT_ADDR: '', VAULT_TOKEN: '', VAULT_CACERT: '', VAULT_CAPATH: '',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...sections], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`suite.py ${sections.join(' ')} failed (${err.code ?? err.signal}):\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

test('hvac 0.11.2 is installed for /usr/bin/python3 (Debian: apt-get install python3-hvac)', async () => {
  const version = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("hvac"))'], (err, out, errOut) => {
      if (err) reject(new Error(`hvac is not importable by ${PYTHON}: ${errOut}`));
      else resolve(out.trim());
    });
  });
  assert.equal(version, '0.11.2');
});

for (const section of ['seal', 'tokens', 'policies', 'mounts', 'kv2', 'kv1', 'cubbyhole', 'wrapping', 'leases', 'audit', 'transit', 'rekey', 'database', 'approle', 'userpass']) {
  test(`hvac: ${section}`, async (t) => {
    const out = await runSuite(section);
    const checks = out.split('\n').filter((l) => l.startsWith('ok - '));
    assert.ok(checks.length > 0, `no checks ran:\n${out}`);
    for (const line of checks) t.diagnostic(line);
  });
}
