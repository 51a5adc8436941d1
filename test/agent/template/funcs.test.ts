// secrets, pkiCert and file against a real server, as the runner evaluates them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createTransport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler, realScheduler, type Scheduler } from '../../../src/agent/schedule.js';
import { compileTemplates, TemplateRunner } from '../../../src/agent/template/runner.js';
import { FileOutput } from '../../../src/agent/template/files.js';
import { parsePems, renewAt } from '../../../src/agent/template/pki.js';
import type { Template } from '../../../src/agent/config/types.js';

let srv: TestServer;
let dir: string;

before(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'agent-funcs-'));
  for (const [path, data] of [['list/b', { v: 1 }], ['list/a', { v: 1 }], ['list/c/d', { v: 1 }], ['list/B', { v: 1 }]] as const) {
    assert.equal((await srv.api('POST', `secret/data/${path}`, { data })).status, 200);
  }
  assert.equal((await srv.api('POST', 'sys/mounts/kv1', { type: 'kv' })).status, 204);
  assert.equal((await srv.api('POST', 'kv1/x/y', { v: 1 })).status, 204);
  assert.equal((await srv.api('POST', 'sys/mounts/pki', { type: 'pki', config: { max_lease_ttl: '87600h' } })).status, 204);
  assert.equal((await srv.api('POST', 'pki/root/generate/internal', { common_name: 'Test Root', ttl: '87600h' })).status, 200);
  assert.equal((await srv.api('POST', 'pki/roles/web', { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h', not_before_duration: '1s' })).status, 200);
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = (destination: string, contents: string, extra: Partial<Template> = {}): Template => ({
  contents, destination, createDestDirs: false, backup: false, commands: [], commandTimeoutMs: 30_000, errorOnMissingKey: false,
  leftDelimiter: '', rightDelimiter: '', functionDenylist: [], waitMinMs: 0, waitMaxMs: 0, ...extra,
});

function runnerFor(templates: Template[], scheduler: Scheduler = realScheduler) {
  const lines: string[] = [];
  const compiled = compileTemplates(templates);
  const runner = new TemplateRunner({
    templates: compiled, output: new FileOutput(compiled, createLogger('error', () => undefined)), transport: createTransport(srv.url, undefined), scheduler, log: createLogger('debug', (l) => lines.push(l)), env: {},
  });
  runner.setToken(srv.rootToken);
  return { runner, lines };
}

test('secrets lists KV v2 under metadata/, sorted byte-wise; KV v1 as is; nothing there is an empty list', async () => {
  const dest = join(dir, 'list.txt');
  const { runner, lines } = runnerFor([spec(dest, '{{ range secrets "secret/list/" }}{{ . }},{{ end }} {{ secrets "/secret/list" }} {{ secrets "kv1/x" }} {{ secrets "secret/none" }} {{ len (secrets "secret/") }}')]);
  assert.equal(await runner.renderAll(new AbortController().signal), true, lines.join(''));
  assert.equal(readFileSync(dest, 'utf8'), 'B,a,b,c/, [B a b c/] [y] [] 1');
});

test('pkiCert: .Data.Cert, .Key, .CA, .CAChain; the certificate in the destination is reused across restarts and new tokens', async () => {
  const dest = join(dir, 'cert.pem');
  const t = spec(dest, '{{ with pkiCert "pki/issue/web" "common_name=a.example.com" "ttl=1h" }}{{ .Data.Cert }}{{ .Key }}{{ .CA }}{{ len .CAChain }}{{ end }}');
  const count = async () => ((await srv.api('LIST', 'pki/certs')).body.data.keys as string[]).length;
  const before = await count();
  const first = runnerFor([t]);
  assert.equal(await first.runner.renderAll(new AbortController().signal), true, first.lines.join(''));
  const text = readFileSync(dest, 'utf8');
  const pems = parsePems(text);
  assert.equal(new X509Certificate(pems.cert).subject, 'CN=a.example.com');
  assert.match(pems.key, /^-----BEGIN (RSA |EC )?PRIVATE KEY-----\n/);
  assert.equal(new X509Certificate(pems.ca).subject, 'CN=Test Root');
  assert.ok(text.endsWith('-----END CERTIFICATE-----\n1'));
  assert.equal(await count(), before + 1);
  const { ino, mtimeMs } = statSync(dest);
  // A restart (a new runner) and a new token read the certificate back from the file.
  const second = runnerFor([t]);
  assert.equal(await second.runner.renderAll(new AbortController().signal), true);
  second.runner.setToken(srv.rootToken);
  assert.equal(await second.runner.renderAll(new AbortController().signal), true);
  assert.equal(await count(), before + 1, 'no new certificate was issued');
  assert.equal(statSync(dest).ino, ino);
  assert.equal(statSync(dest).mtimeMs, mtimeMs);
  // Past 90 % (± 3 %) of its lifetime it is replaced: a 3 s certificate (NotBefore 1 s back) at 3.5 s.
  const short = (await srv.api('POST', 'pki/issue/web', { common_name: 'a.example.com', ttl: '3s' })).body.data;
  writeFileSync(dest, `${short.certificate}\n${short.private_key}\n`);
  const late = runnerFor([t], new ManualScheduler(Date.now() + 3500, () => 0.999));
  assert.equal(await late.runner.renderAll(new AbortController().signal), true, late.lines.join(''));
  assert.equal(await count(), before + 3);
  const renewed = parsePems(readFileSync(dest, 'utf8')).cert;
  assert.notEqual(renewed, short.certificate);
  assert.notEqual(renewed, pems.cert);
});

test('pkiCert renews at 87–93 % of NotBefore→NotAfter; an expired certificate needs renewal', () => {
  const cert = { validFrom: 'Jan  1 00:00:00 2026 GMT', validTo: 'Jan  1 00:01:40 2026 GMT' } as X509Certificate; // 100 s
  const start = Date.UTC(2026, 0, 1);
  assert.equal(renewAt(cert, 0.9, 0, start), start + 87_000);
  assert.equal(renewAt(cert, 0.9, 0.5, start), start + 90_000);
  assert.ok(renewAt(cert, 0.9, 0.99999, start)! < start + 93_000);
  assert.equal(renewAt(cert, 0.9, 0.5, start + 91_000), undefined);
  assert.equal(renewAt(cert, 0.9, 0.5, start + 100_000), undefined);
  assert.equal(renewAt(undefined, 0.9, 0.5, start), undefined);
});

test('pkiCert prints as dependency.PemEncoded; a wrong k=v is consul-template\'s error', async () => {
  const dest = join(dir, 'pem-print.txt');
  const { runner, lines } = runnerFor([spec(dest, '{{ with pkiCert "pki/issue/web" "common_name=b.example.com" }}{{ printf "%T" . }} {{ .Data.Data.CA | len | lt 100 }}{{ end }}')]);
  assert.equal(await runner.renderAll(new AbortController().signal), true, lines.join(''));
  assert.equal(readFileSync(dest, 'utf8'), 'dependency.PemEncoded true');
  const bad = runnerFor([spec(join(dir, 'bad.txt'), '{{ pkiCert "pki/issue/web" "common_name" }}')]);
  assert.equal(await bad.runner.renderAll(new AbortController().signal), false);
  assert.match(bad.lines.join(''), /error calling pkiCert: not k=v pair "common_name"/);
});

test('file: its contents, re-rendered when it changes; sandbox_path bounds it with consul-template\'s errors', async () => {
  const box = join(dir, 'box');
  mkdirSync(box);
  const inside = join(box, 'in.txt');
  const outside = join(dir, 'out.txt');
  writeFileSync(inside, 'one');
  writeFileSync(outside, 'secret');
  symlinkSync(outside, join(box, 'link.txt'));
  const dest = join(dir, 'file.txt');
  const { runner, lines } = runnerFor([spec(dest, `[{{ file "${inside}" }}]`, { sandboxPath: box })]);
  const ac = new AbortController();
  void runner.run(ac.signal, () => assert.fail('fatal'));
  try {
    const until = async (want: string) => {
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline) {
        try {
          if (readFileSync(dest, 'utf8') === want) return;
        } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`never saw ${want}\n${lines.join('')}`);
    };
    await until('[one]');
    writeFileSync(inside, 'two, longer');
    await until('[two, longer]');
  } finally {
    ac.abort();
  }
  for (const [path, message] of [
    [outside, `error calling file: '${outside}' is outside of sandbox`],
    [join(box, 'link.txt'), `error calling file: '${join(box, 'link.txt')}' is outside of sandbox`],
    [join(box, '..', 'out.txt'), `is outside of sandbox`],
    [join(box, 'nope', 'x'), `error calling file: failed to resolve target path: lstat ${join(box, 'nope')}: no such file or directory`],
  ] as const) {
    const r = runnerFor([spec(join(dir, 'f-bad.txt'), `{{ file "${path}" }}`, { sandboxPath: box })]);
    assert.equal(await r.runner.renderAll(new AbortController().signal), false);
    assert.ok(r.lines.join('').includes(message), r.lines.join(''));
  }
  const missing = runnerFor([spec(join(dir, 'f-missing.txt'), `{{ file "${join(dir, 'none')}" }}`)]);
  assert.equal(await missing.runner.renderAll(new AbortController().signal), false);
  assert.ok(missing.lines.join('').includes(`fetch: file(${join(dir, 'none')}): stat ${join(dir, 'none')}: no such file or directory`), missing.lines.join(''));
});
