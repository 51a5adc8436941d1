// The web UI end to end, in real headless Chromium against a real server on SQLite: from a
// fresh server's init and unseal to KV editing, policies, the access review and logout. The
// run writes screenshots of the main screens to docs/ui/ and reports the first load's size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { haveChromium, launchChromium } from './browser.js';

const skip = haveChromium ? false : 'Debian chromium is not installed (apt-get install chromium)';
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = join(process.cwd(), 'docs', 'ui');
const CANARY = 'canary-value-7f3a91c2';
const pgClient = pg.Client;

let dir: string;
let server: RunningServer;
let browser: Browser;
let rootToken = '';
const logLines: string[] = [];

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lockbox-ui-'));
  server = await startServer({
    storage: { type: 'sqlite', path: join(dir, 'lockbox.db') }, listener: { address: '127.0.0.1:0' }, ui: true,
    logSink: (line) => logLines.push(line),
  });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records every URL it requests, so a test can say what never went into one. */
async function openPage(context: BrowserContext, urls: string[] = []): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (r) => urls.push(r.url()));
  await page.goto(`${server.url}/ui/`);
  return page;
}

async function api(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}/v1/${path}`, { method, headers: { 'X-Vault-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** axe-core on the current screen: serious and critical violations, by rule id. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(`${axeSource}; 0`);
  const result = await page.evaluate(async () => (window as any).axe.run(document, { resultTypes: ['violations'] }));
  return (result.violations as Array<{ id: string; impact: string; nodes: unknown[] }>)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.length})`);
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function login(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
}

const a11y: Record<string, string[]> = {};

test('serves /ui/ with a strict Content-Security-Policy and no framing', { skip }, async () => {
  const res = await fetch(`${server.url}/ui/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  const html = await res.text();
  assert.doesNotMatch(html, /<script>(?!<)/, 'no inline script');
  assert.equal((await fetch(`${server.url}/`, { redirect: 'manual' })).headers.get('location'), '/ui/');
});

test('init and unseal a fresh server from the UI; first load is small', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let bytes = 0;
  const page = await context.newPage();
  page.on('response', async (r) => {
    if (/\.(js|css)$/.test(new URL(r.url()).pathname)) bytes += Number((await r.allHeaders())['content-length'] ?? 0);
  });
  const started = Date.now();
  await page.goto(`${server.url}/ui/`);
  await page.getByRole('heading', { name: 'Initialise Lockbox' }).waitFor();
  const interactive = Date.now() - started;
  console.log(`# first load: ${bytes} bytes of JS+CSS (gzipped), interactive after ${interactive} ms`);
  assert.ok(bytes > 0 && bytes <= 150 * 1024, `first load ${bytes} bytes`);
  a11y.init = await accessibilityProblems(page);
  await shoot(page, 'init');
  await page.getByLabel('Key shares').fill('3');
  await page.getByLabel('Key threshold').fill('2');
  await page.getByRole('button', { name: 'Initialise' }).click();
  const shares = page.getByRole('list', { name: 'Unseal key shares' });
  await shares.waitFor();
  const keys = await shares.locator('code').allTextContents();
  assert.equal(keys.length, 3);
  rootToken = (await page.locator('p', { hasText: 'Initial root token' }).locator('code').textContent()) ?? '';
  assert.ok(rootToken.length > 10);
  await page.getByRole('button', { name: 'Continue to unseal' }).click();
  await page.getByRole('heading', { name: 'Unseal Lockbox' }).waitFor();
  a11y.unseal = await accessibilityProblems(page);
  await page.getByLabel('Key share').fill(keys[0] as string);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByText('1 of 2 key shares entered.').waitFor();
  await shoot(page, 'unseal');
  await page.getByLabel('Key share').fill(keys[2] as string);
  await page.getByRole('button', { name: 'Unseal', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in to Lockbox' }).waitFor();
  a11y.login = await accessibilityProblems(page);
  await shoot(page, 'login');
  assert.equal((await api('GET', 'sys/seal-status', '')).body.sealed, false);
  await context.close();
});

test('a policy-bound token edits a KV v2 secret: create, edit, diff, CAS conflict, delete, undelete, destroy', { skip }, async () => {
  await api('POST', 'sys/mounts/secret', rootToken, { type: 'kv', options: { version: '2' } });
  await api('PUT', 'sys/policies/acl/app-editor', rootToken, {
    policy: 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }\npath "sys/internal/ui/mounts" { capabilities = ["read"] }',
  });
  const token = (await api('POST', 'auth/token/create', rootToken, { policies: ['app-editor'], ttl: '1h' })).body.auth.client_token as string;
  const urls: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context, urls);
  await login(page, token);
  await page.getByRole('link', { name: 'secret/' }).click();
  a11y.browser = await accessibilityProblems(page);
  await page.getByLabel('New secret at').fill('prod/db');
  await page.getByRole('button', { name: 'Create secret' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('Key 1').fill('password');
  await page.getByLabel('Value 1').fill(CANARY);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('heading', { name: 'Versions' }).waitFor();
  // Masked: the value is not in the DOM until revealed.
  assert.ok(!(await page.content()).includes(CANARY), 'value in the DOM before reveal');
  a11y.secret = await accessibilityProblems(page);
  await shoot(page, 'secret');
  await page.getByRole('button', { name: 'Reveal' }).first().click();
  assert.ok((await page.content()).includes(CANARY));
  await page.getByRole('button', { name: 'Hide' }).first().click();

  // Edit in JSON mode: version 2.
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('tab', { name: 'JSON' }).click();
  await page.getByLabel('Secret as JSON').fill(JSON.stringify({ password: 'second-value', user: 'app' }));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('cell', { name: '2 (current)' }).waitFor();

  // Diff 1 → 2: password changed, user added.
  await page.getByLabel('Compare version', { exact: true }).selectOption('1');
  await page.getByLabel('with version').selectOption('2');
  await page.getByRole('button', { name: 'Compare' }).click();
  const diff = page.locator('table.diff');
  await diff.waitFor();
  assert.equal(await diff.locator('tr.diff-changed th').textContent(), 'password');
  assert.equal(await diff.locator('tr.diff-added th').textContent(), 'user');
  await shoot(page, 'versions');

  // CAS conflict: someone else writes version 3 while the editor is open.
  await page.getByRole('button', { name: 'Edit' }).click();
  await api('POST', 'secret/data/prod/db', rootToken, { data: { password: 'from-elsewhere' } });
  await page.getByRole('tab', { name: 'JSON' }).click();
  await page.getByLabel('Secret as JSON').fill(JSON.stringify({ password: 'mine' }));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Someone else saved this secret' });
  await conflict.waitFor();
  assert.match((await conflict.textContent()) ?? '', /version 2.*version 3/);
  assert.equal((await api('GET', 'secret/data/prod/db', rootToken)).body.data.data.password, 'from-elsewhere');
  await page.getByRole('button', { name: 'Cancel' }).click();

  // Delete version 3, undelete it, destroy version 1.
  await page.reload();
  await page.getByRole('heading', { name: 'Versions' }).waitFor();
  const row = (n: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: n, exact: true }) });
  await row('3 (current)').getByRole('button', { name: 'Delete', exact: true }).click();
  await row('3 (current)').getByRole('cell', { name: 'deleted' }).waitFor();
  await row('3 (current)').getByRole('button', { name: 'Undelete' }).click();
  await row('3 (current)').getByRole('cell', { name: 'live' }).waitFor();
  await row('1').getByRole('button', { name: 'Destroy version 1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Destroy version 1' }).click();
  await row('1').getByRole('cell', { name: 'destroyed' }).waitFor();
  const meta = (await api('GET', 'secret/metadata/prod/db', rootToken)).body.data.versions;
  assert.equal(meta['1'].destroyed, true);
  assert.equal(meta['3'].deletion_time, '');
  for (const url of urls) assert.ok(!url.includes(CANARY) && !url.includes('second-value'), `a value went into ${url}`);
  assert.ok(!logLines.join('\n').includes(CANARY), 'the value reached the server log');
  await context.close();
});

test('a policy with a syntax error shows its line', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context);
  await login(page, rootToken);
  await page.getByRole('link', { name: 'Policies' }).click();
  a11y.policies = await accessibilityProblems(page);
  await page.getByLabel('New policy name').fill('broken');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByLabel('Policy text (HCL or JSON)').fill('path "secret/a" {\n  capabilities = ["read"]\n}\npath "secret/b" {\n  capabilities = ["read"\n}\n');
  await page.getByRole('button', { name: 'Save policy' }).click();
  const error = page.locator('#policy-error');
  await error.waitFor();
  const text = (await error.textContent()) ?? '';
  assert.match(text, /failed to parse policy/);
  const marked = await page.locator('.gutter li.bad').allTextContents();
  assert.equal(marked.length, 1, `one line marked (error: ${text})`);
  assert.ok(Number(marked[0]) >= 5 && Number(marked[0]) <= 7, `the marked line ${marked[0]} is near the missing bracket`);
  a11y.policyError = await accessibilityProblems(page);
  await shoot(page, 'policy-error');
  await context.close();
});

test('the access review answers who can read a path, across three policies', { skip }, async () => {
  const put = (name: string, policy: string) => api('PUT', `sys/policies/acl/${name}`, rootToken, { policy });
  await put('prod-reader', 'path "secret/data/prod/*" { capabilities = ["read"] }');
  await put('prod-writer', 'path "secret/data/prod/db" { capabilities = ["create", "update"] }');
  await put('everything-but-prod', 'path "secret/data/*" { capabilities = ["read"] }\npath "secret/data/prod/*" { capabilities = ["deny"] }');
  await api('POST', 'auth/token/roles/ci', rootToken, { allowed_policies: ['prod-reader'] });
  await api('POST', 'auth/token/create', rootToken, { policies: ['prod-reader'], display_name: 'reporting' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context);
  await login(page, rootToken);
  await page.getByRole('link', { name: 'Who can access' }).click();
  await page.getByLabel('Path', { exact: true }).fill('secret/data/prod/db');
  await page.getByRole('button', { name: 'Review' }).click();
  const granting = page.getByRole('list', { name: 'Policies granting read' });
  await granting.waitFor();
  const names = (await granting.getByRole('link').allTextContents()).sort();
  // root grants everything, app-editor has secret/*, prod-reader reads; prod-writer only writes;
  // in everything-but-prod the deny wins.
  assert.deepEqual(names, ['app-editor', 'prod-reader', 'root']);
  const carriers = await page.getByRole('row').allTextContents();
  assert.ok(carriers.some((r) => r.includes('token role') && r.includes('ci')), 'the ci token role carries prod-reader');
  assert.ok(carriers.some((r) => r.includes('token-reporting')), 'the reporting token carries prod-reader');
  a11y.explorer = await accessibilityProblems(page);
  await shoot(page, 'explorer');
  for (const screen of ['Access', 'Leases', 'Audit']) {
    await page.getByRole('link', { name: screen, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    a11y[screen.toLowerCase()] = await accessibilityProblems(page);
    await shoot(page, screen.toLowerCase());
  }
  await context.close();
});

test('the transit tool encrypts and decrypts with a key that never leaves the server', { skip }, async () => {
  await api('POST', 'sys/mounts/transit', rootToken, { type: 'transit' });
  await api('POST', 'transit/keys/orders', rootToken, {});
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context);
  await login(page, rootToken);
  await page.getByRole('link', { name: 'transit/' }).click();
  await page.getByLabel('Plaintext').fill('card 4111 1111');
  await page.getByRole('button', { name: 'Run encrypt' }).click();
  const ciphertext = (await page.locator('p', { hasText: 'Ciphertext:' }).locator('code').textContent()) ?? '';
  assert.match(ciphertext, /^vault:v1:/);
  await page.getByLabel('decrypt').check();
  await page.getByLabel('Ciphertext (vault:v1:…)').fill(ciphertext);
  await page.getByRole('button', { name: 'Run decrypt' }).click();
  await page.getByRole('button', { name: 'Reveal' }).click();
  await page.getByText('card 4111 1111').waitFor();
  a11y.transit = await accessibilityProblems(page);
  await shoot(page, 'transit');
  await context.close();
});

test('database credentials from the UI: a user is created with a lease and dropped on revoke', { skip }, async () => {
  const pg = new pgClient({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' });
  await pg.connect();
  try {
    await api('POST', 'sys/mounts/database', rootToken, { type: 'database' });
    await api('POST', 'database/config/pg', rootToken, {
      plugin_name: 'postgresql-database-plugin', connection_url: 'postgresql://{{username}}:{{password}}@127.0.0.1:5432/test',
      username: 'postgres', password: 'unused-on-trust', allowed_roles: '*',
    });
    await api('POST', 'database/roles/ui-reader', rootToken, { db_name: 'pg', default_ttl: '1h', creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'` });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await openPage(context);
    await login(page, rootToken);
    await page.getByRole('link', { name: 'database/' }).click();
    await page.getByRole('button', { name: 'Generate credentials' }).click();
    const username = (await page.getByRole('table', { name: 'Issued credentials' }).locator('td code').first().textContent()) ?? '';
    assert.equal((await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount, 1, 'the user exists');
    a11y.database = await accessibilityProblems(page);
    await shoot(page, 'database');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('table', { name: 'Issued credentials' }).waitFor({ state: 'detached' });
    assert.equal((await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount, 0, 'the user is dropped');
    await context.close();
  } finally {
    await pg.end();
  }
});

test('PKI from the UI: issue a certificate from a role; the key stays masked', { skip }, async () => {
  await api('POST', 'sys/mounts/pki', rootToken, { type: 'pki' });
  await api('POST', 'pki/root/generate/internal', rootToken, { common_name: 'UI Test Root', ttl: '87600h' });
  await api('POST', 'pki/roles/web', rootToken, { allowed_domains: 'example.com', allow_subdomains: true, max_ttl: '72h' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context);
  await login(page, rootToken);
  await page.getByRole('link', { name: 'pki/' }).click();
  await page.getByLabel('Common name').fill('app.example.com');
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  const certificate = page.getByLabel('Certificate', { exact: true });
  await certificate.waitFor();
  const pem = (await certificate.textContent()) ?? '';
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  assert.ok(!(await page.content()).includes('PRIVATE KEY'), 'the private key is not in the DOM until revealed');
  a11y.pki = await accessibilityProblems(page);
  await shoot(page, 'pki');
  await context.close();
});

test('a revoked token is logged out on its next request', { skip }, async () => {
  const token = (await api('POST', 'auth/token/create', rootToken, { policies: ['default'] })).body.auth.client_token as string;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await openPage(context);
  await login(page, token);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
  await api('POST', 'auth/token/revoke', rootToken, { token });
  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('heading', { name: 'Sign in to Lockbox' }).waitFor({ timeout: 5000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('lockbox.token')), null);
  await context.close();
});

test('no screen has serious or critical accessibility problems (axe-core)', { skip }, () => {
  const bad = Object.entries(a11y).filter(([, problems]) => problems.length > 0);
  assert.ok(Object.keys(a11y).length >= 10, `screens checked: ${Object.keys(a11y).join(', ')}`);
  assert.deepEqual(bad, []);
});
