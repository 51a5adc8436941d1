// Shared set-up for the audit tests: temp directories, enabling a file device over HTTP, and
// reading the records a device wrote.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Written as secret data; must never appear in an audit file or the server log. */
export const CANARY = 'canary-audit-9d41b7e3';

/** A fresh temporary directory. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lockbox-audit-'));

/** Enables a file device at `path` writing to `file`; asserts Vault's 204. */
export async function enableFile(srv: TestServer, path: string, file: string, options: Record<string, string> = {}): Promise<void> {
  const res = await srv.api('PUT', `sys/audit/${path}`, { type: 'file', options: { file_path: file, ...options } });
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

/** Every JSON record in an audit file. */
export function records(file: string): any[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

/** The records about one request path, optionally of one type. */
export const recordsFor = (file: string, path: string, type?: 'request' | 'response') =>
  records(file).filter((r) => r.request?.path === path && (type === undefined || r.type === type));

/** What sys/audit-hash says the device at `path` logs for `input`. */
export async function auditHash(srv: TestServer, path: string, input: string): Promise<string> {
  const res = await srv.api('POST', `sys/audit-hash/${path}`, { input });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.hash;
}

/** Sets or clears the immutable attribute; root cannot write an immutable file either. */
export const chattr = (flag: '+i' | '-i', path: string): void => { execFileSync('chattr', [flag, path]); };

/** Whether this machine lets us make a file immutable (root on a filesystem that supports it). */
export function canChattr(): boolean {
  const dir = tempDir();
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  try {
    chattr('+i', probe);
    chattr('-i', probe);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The usual set-up of an audit test file: a dev server and a temp directory for log files,
 * both removed after the file's tests, which also check the canary never reached the server log.
 */
export function useAuditServer(): { srv: TestServer; dir: string } {
  const suite = { dir: tempDir() } as { srv: TestServer; dir: string };
  before(async () => { suite.srv = await startTestServer(); });
  after(async () => {
    assert.ok(!suite.srv.log().includes(CANARY), 'a secret value reached the server log');
    await suite.srv.close();
    rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
