// lockbox audit enable|list|disable against a real server and a file device.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliFor, type Cli } from './helpers.js';

let srv: TestServer;
let cli: Cli;
const dir = mkdtempSync(join(tmpdir(), 'lockbox-cli-audit-'));
before(async () => {
  srv = await startTestServer();
  cli = cliFor(srv.url, srv.rootToken);
});
after(async () => {
  cli.cleanup();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('enable a file device with options, list it, then disable it', async () => {
  const file = join(dir, 'audit.log');
  const e = await cli.run(['audit', 'enable', '-path=trail', '-description=all requests', 'file', `file_path=${file}`]);
  assert.deepEqual([e.code, e.stdout], [0, 'Success! Enabled the file audit device at: trail/\n'], e.stderr);
  await srv.api('GET', 'sys/mounts');
  assert.ok(existsSync(file) && readFileSync(file, 'utf8').includes('"sys/mounts"'));
  const l = await cli.run(['audit', 'list']);
  // Vault's layout: header, dashes under each title, rows, and a final newline.
  assert.deepEqual([l.code, l.stdout], [0, `Path      Type    Description\n----      ----    -----------\ntrail/    file    all requests\n`]);
  const dl = await cli.run(['audit', 'list', '-detailed']);
  assert.equal(dl.stdout.split('\n')[1], '----      ----    -----------     -----------    -------');
  assert.match(dl.stdout, new RegExp(`^trail/\\s+file\\s+all requests\\s+replicated\\s+file_path=${file}\\n$`, 'm'));
  const j = await cli.run(['audit', 'list', '-format=json']);
  assert.equal(JSON.parse(j.stdout)['trail/'].options.file_path, file);
  const d = await cli.run(['audit', 'disable', 'trail']);
  assert.deepEqual([d.code, d.stdout], [0, 'Success! Disabled audit device (if it was enabled) at: trail/\n']);
  const none = await cli.run(['audit', 'list']);
  assert.deepEqual([none.code, none.stdout], [2, 'No audit devices are enabled.\n']);
});

test('an unwritable target is an API error (exit 2) naming the problem', async () => {
  const r = await cli.run(['audit', 'enable', 'file', `file_path=${join(dir, 'missing-dir', 'a.log')}`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Code: 400/);
});
