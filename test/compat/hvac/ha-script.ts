// Runs one of the hvac HA scripts against an active node and a standby; answers its output.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestServer } from '../../helpers/server.js';

export async function runHaScript(script: string, active: TestServer, standby: TestServer): Promise<string> {
  const path = fileURLToPath(new URL(`../../../../test/compat/hvac/${script}`, import.meta.url));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1',
    LOCKBOX_ACTIVE_URL: active.url, LOCKBOX_STANDBY_URL: standby.url, LOCKBOX_TOKEN: active.rootToken,
    VAULT_ADDR: '', VAULT_TOKEN: '', VAULT_CACERT: '', VAULT_CAPATH: '',
  };
  return new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [path], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} failed:\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}
