// Shared set-up for the PKI tests: a server with a root in `pki/` and files for openssl.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import type { Clock } from '../../../src/util/clock.js';

const run = promisify(execFile);

/** Mounts a pki engine at `path` (max_lease_ttl 87600h so roots can live long). */
export async function mountPki(srv: TestServer, path: string, maxLeaseTtl = '87600h'): Promise<void> {
  const r = await srv.api('POST', `sys/mounts/${path}`, { type: 'pki', config: { max_lease_ttl: maxLeaseTtl } });
  if (r.status !== 204) throw new Error(`mount failed: ${JSON.stringify(r.body)}`);
}

/** A server with an RSA root CA in pki/. */
export async function startPkiServer(clock?: Clock): Promise<{ srv: TestServer; rootPem: string }> {
  const srv = await startTestServer({ clock });
  await mountPki(srv, 'pki');
  const r = await srv.api('POST', 'pki/root/generate/internal', { common_name: 'Lockbox Test Root', ttl: '87600h', issuer_name: 'root' });
  if (r.status !== 200) throw new Error(`root failed: ${JSON.stringify(r.body)}`);
  return { srv, rootPem: r.body.data.certificate };
}

/** Makes pki_int/ an EC-384 intermediate signed by pki/'s root; answers its PEM. */
export async function makeIntermediate(srv: TestServer, mount = 'pki_int', parent = 'pki'): Promise<string> {
  await mountPki(srv, mount, '43800h');
  const csr = await srv.api('POST', `${mount}/intermediate/generate/internal`, { common_name: 'Lockbox Test Intermediate', key_type: 'ec', key_bits: 384 });
  if (csr.status !== 200) throw new Error(`csr failed: ${JSON.stringify(csr.body)}`);
  const signed = await srv.api('POST', `${parent}/root/sign-intermediate`, { csr: csr.body.data.csr, format: 'pem_bundle', ttl: '43800h', common_name: 'Lockbox Test Intermediate' });
  if (signed.status !== 200) throw new Error(`sign failed: ${JSON.stringify(signed.body)}`);
  const set = await srv.api('POST', `${mount}/intermediate/set-signed`, { certificate: signed.body.data.certificate });
  if (set.status !== 200) throw new Error(`set-signed failed: ${JSON.stringify(set.body)}`);
  return signed.body.data.certificate.split(/(?<=-----END CERTIFICATE-----)\n/)[0];
}

/** A temporary folder for PEM files handed to openssl. */
export function tempFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-pki-'));
  return {
    write: (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text.endsWith('\n') ? text : `${text}\n`); return p; },
    writeBytes: (name: string, bytes: Uint8Array) => { const p = join(dir, name); writeFileSync(p, bytes); return p; },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl; answers stdout and stderr together, and the exit code. */
export async function openssl(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args);
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}
