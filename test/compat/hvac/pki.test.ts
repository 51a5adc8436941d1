// hvac 0.11.2's secrets.pki calls against a Lockbox dev server (pki.py asserts Vault's shapes).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const SCRIPT = fileURLToPath(new URL('../../../../test/compat/hvac/pki.py', import.meta.url));
let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('hvac: root, intermediate, role, issue, sign, revoke, CRL, fetch, urls, tidy, delete root', async () => {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1',
    LOCKBOX_URL: srv.url, LOCKBOX_TOKEN: srv.rootToken,
    VAULT_ADDR: '', VAULT_TOKEN: '', VAULT_CACERT: '', VAULT_CAPATH: '',
  };
  const output = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [SCRIPT], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pki.py failed:\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
  assert.doesNotMatch(output, /FAIL/, output);
  assert.equal(output.match(/PASS/g)?.length, 25, output);
});
