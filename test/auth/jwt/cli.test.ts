// The CLI against the JWT method: `login -method=oidc skip_browser=true` completes the browser
// flow against the real provider through its loopback listener; `write auth/jwt/login jwt=@file`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { BIN, runLockbox } from '../../cli/helpers.js';
import { call } from '../helpers.js';
import { makeKey } from './issuer.js';
import { browse, CLIENT_ID, CLIENT_SECRET, startProvider } from './provider.js';
import { freePort } from '../../server/process.js';

let srv: TestServer;
let idp: Awaited<ReturnType<typeof startProvider>>;
let home: string;

before(async () => {
  idp = await startProvider(['http://localhost:8250/oidc/callback']);
  srv = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'lockbox-oidc-cli-'));
  assert.equal((await srv.api('POST', 'sys/auth/oidc', { type: 'oidc' })).status, 204);
  const cfg = await srv.api('POST', 'auth/oidc/config', { oidc_discovery_url: idp.url, oidc_client_id: CLIENT_ID, oidc_client_secret: CLIENT_SECRET });
  assert.equal(cfg.status, 204, JSON.stringify(cfg.body));
  const role = await srv.api('POST', 'auth/oidc/role/dev', {
    user_claim: 'email', oidc_scopes: ['email'], allowed_redirect_uris: ['http://localhost:8250/oidc/callback'], token_policies: ['dev'],
  });
  assert.equal(role.status, 204, JSON.stringify(role.body));
});
after(async () => { await srv.close(); await idp.close(); rmSync(home, { recursive: true, force: true }); });

/** A loopback port free a moment ago (the CLI listens on it). */

test('login -method=oidc skip_browser=true prints the link, receives the redirect and stores the token', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'login', '-method=oidc', 'role=dev', `port=${port}`, 'listenaddress=127.0.0.1', 'skip_browser=true'], {
    env: { PATH: process.env.PATH, HOME: home, LOCKBOX_ADDR: srv.url }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  const link = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      const m = /Open the following link in your browser:\s+(\S+)/.exec(stderr);
      if (m && stderr.includes('Waiting for OIDC authentication to complete...')) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`the CLI exited early: ${stderr}`)));
  });
  const url = new URL(link);
  assert.equal(url.searchParams.get('redirect_uri'), `http://localhost:${port}/oidc/callback`);
  // The browser: the provider's pages, then the redirect to the CLI's listener (on 127.0.0.1).
  const back = await browse(link, 'carol');
  assert.equal(back.pathname, '/oidc/callback');
  const landing = await fetch(`http://127.0.0.1:${port}${back.pathname}${back.search}`);
  assert.equal(landing.status, 200);
  assert.match(await landing.text(), /Signed in/);
  assert.equal(await exited, 0, stderr);
  const token = readFileSync(join(home, '.vault-token'), 'utf8');
  assert.match(stdout, new RegExp(`^token\\s+${token}$`, 'm'));
  const self = await call(srv, token, 'GET', 'auth/token/lookup-self');
  assert.equal(self.body.data.display_name, 'oidc-carol@example.com');
  assert.deepEqual(self.body.data.policies, ['default', 'dev']);
});

test('login -method=oidc with a redirect the role does not allow fails with Vault\'s hint', async () => {
  const r = await runLockbox(['login', '-method=oidc', 'role=dev', 'callbackhost=evil.example.com', 'skip_browser=true'], { HOME: home, LOCKBOX_ADDR: srv.url });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Unable to authorize role "dev" with redirect_uri "http:\/\/evil\.example\.com:8250\/oidc\/callback"/);
  const bad = await runLockbox(['login', '-method=oidc', 'colour=blue'], { HOME: home, LOCKBOX_ADDR: srv.url });
  assert.match(bad.stderr, /unknown parameter for the oidc method: colour/);
});

test('write auth/jwt/login role=… jwt=@file logs in with a static-key JWT', async () => {
  const key = await makeKey('s1');
  const pem = createPublicKey({ key: key.jwk as NodeJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  assert.equal((await srv.api('POST', 'sys/auth/jwt', { type: 'jwt' })).status, 204);
  assert.equal((await srv.api('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [pem] })).status, 204);
  const role = await srv.api('POST', 'auth/jwt/role/ci', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'ci-bot', token_policies: ['ci'] });
  assert.equal(role.status, 204, JSON.stringify(role.body));
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ sub: 'ci-bot', iat: now, exp: now + 300 }).setProtectedHeader({ alg: 'RS256' }).sign(key.privateKey);
  const file = join(home, 'token.jwt');
  writeFileSync(file, `${jwt}\n`);
  const r = await runLockbox(['write', '-format=json', 'auth/jwt/login', 'role=ci', `jwt=@${file}`], { HOME: home, LOCKBOX_ADDR: srv.url });
  assert.equal(r.code, 0, r.stderr);
  const auth = JSON.parse(r.stdout).auth;
  assert.deepEqual(auth.token_policies, ['ci', 'default']);
  assert.deepEqual(auth.metadata, { role: 'ci' });
});
