// hvac 0.11.2's secrets.identity calls against a Lockbox dev server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const SCRIPT = fileURLToPath(new URL('../../../../test/compat/hvac/identity.py', import.meta.url));
let srv: TestServer;
before(async () => { srv = await startTestServer(); });
after(() => srv.close());

test('hvac: create, read, alias, group, lookup, list and merge entities', async () => {
  assert.equal((await srv.api('POST', 'sys/auth/userpass', { type: 'userpass' })).status, 204);
  const accessor = (await srv.api('GET', 'sys/auth')).body.data['userpass/'].accessor;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1',
    LOCKBOX_URL: srv.url, LOCKBOX_TOKEN: srv.rootToken, LOCKBOX_ACCESSOR: accessor,
    VAULT_ADDR: '', VAULT_TOKEN: '', VAULT_CACERT: '', VAULT_CAPATH: '',
  };
  const output = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [SCRIPT], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`identity.py failed:\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
  assert.doesNotMatch(output, /FAIL/);
  assert.equal(output.match(/PASS/g)?.length, 10, output);
});
