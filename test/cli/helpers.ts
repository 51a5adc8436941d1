// Runs the compiled `lockbox` CLI as a child process, the way a user would, against a test
// server. Each runner has its own HOME so the token helper file never touches the real one.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.js';

/** bin/lockbox at the repository root (tests run from dist/test/cli). */
export const BIN = fileURLToPath(new URL('../../../bin/lockbox', import.meta.url));

/** What a CLI run produced. */
export type CliResult = { code: number; stdout: string; stderr: string };

/** Per-call extras: stdin text, and environment overrides (undefined removes a variable). */
export type RunOptions = { input?: string; env?: Record<string, string | undefined> };

/** A CLI bound to one server address, an optional token and a private HOME. */
export type Cli = {
  run(args: string[], opts?: RunOptions): Promise<CliResult>;
  home: string;
  cleanup(): void;
};

/** Runs `node bin/lockbox ...args` with exactly the given environment (nothing inherited but PATH). */
export function runLockbox(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, ...env })) if (v !== undefined) clean[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: clean, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A CLI runner for `addr`, sending `token` through LOCKBOX_TOKEN when given. */
export function cliFor(addr: string, token?: string): Cli {
  const home = mkdtempSync(join(tmpdir(), 'lockbox-cli-'));
  return {
    home,
    run: (args, opts = {}) => runLockbox(args, { HOME: home, LOCKBOX_ADDR: addr, LOCKBOX_TOKEN: token, ...opts.env }, opts.input),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** A TCP port nothing listens on (bound once by us, then released). */
export async function closedPort(): Promise<number> {
  // A port that was free a moment ago can be taken by another test's server before the CLI
  // connects (the suite runs files in parallel); port 1 (tcpmux) has no listener here, ever.
  return 1;
}

/**
 * The usual set-up of a CLI test file: a dev server and a CLI holding its root token, started
 * before the file's tests and closed after them. Read them through the returned object.
 */
export function useCliServer(opts: TestServerOptions = {}): { srv: TestServer; cli: Cli } {
  const suite = {} as { srv: TestServer; cli: Cli };
  before(async () => {
    suite.srv = await startTestServer(opts);
    suite.cli = cliFor(suite.srv.url, suite.srv.rootToken);
  });
  after(async () => {
    suite.cli.cleanup();
    await suite.srv.close();
  });
  return suite;
}
