// The ACME server end to end with acme-client: auto() with http-01 answered by the test's own
// loopback server, an IP identifier through createOrder, and the failures RFC 8555 names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import acme from 'acme-client';
import type { TestServer } from '../../helpers/server.js';
import { openssl, startPkiServer, tempFiles } from './helpers.js';

let srv: TestServer;
let rootPem: string;
const files = tempFiles();
const answers = new Map<string, string>();
let challengeServer: http.Server;
let challengePort: number;

before(async () => {
  challengeServer = http.createServer((req, res) => {
    const token = (req.url ?? '').split('/').pop() ?? '';
    const answer = answers.get(token);
    res.writeHead(answer ? 200 : 404).end(answer ?? '');
  });
  await new Promise<void>((r) => challengeServer.listen(0, '127.0.0.1', r));
  challengePort = (challengeServer.address() as { port: number }).port;
  process.env.LOCKBOX_ACME_HTTP01_PORT = String(challengePort);
  (acme.axios.defaults as unknown as { acmeSettings: { httpChallengePort: number } }).acmeSettings.httpChallengePort = challengePort;
  ({ srv, rootPem } = await startPkiServer());
  assert.equal((await srv.api('POST', 'pki/config/cluster', { path: `${srv.url}/v1/pki` })).status, 200);
  const cfg = await srv.api('POST', 'pki/config/acme', { enabled: true });
  assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
  await srv.api('POST', 'pki/roles/acme-web', { allowed_domains: 'example.com', allow_subdomains: true, key_type: 'any' });
});
after(async () => { files.cleanup(); challengeServer.close(); await srv.close(); });

const directory = (suffix = 'acme') => `${srv.url}/v1/pki/${suffix}/directory`;

async function newClient(dir = directory()) {
  return new acme.Client({ directoryUrl: dir, accountKey: await acme.crypto.createPrivateEcdsaKey() });
}

/** A new account with one order for `identifier`; answers its http-01 challenge. */
async function orderWithChallenge(identifier: { type: 'dns' | 'ip'; value: string }) {
  const client = await newClient();
  await client.createAccount({ termsOfServiceAgreed: true });
  const order = await client.createOrder({ identifiers: [identifier] });
  const [authz] = await client.getAuthorizations(order);
  const challenge = authz!.challenges.find((c) => c.type === 'http-01')!;
  return { client, order, challenge };
}

const http01 = {
  challengePriority: ['http-01'],
  challengeCreateFn: async (_a: unknown, c: { token: string }, keyAuthorization: string) => { answers.set(c.token, keyAuthorization); },
  challengeRemoveFn: async (_a: unknown, c: { token: string }) => { answers.delete(c.token); },
};

test('disabled ACME answers 404; the directory lists Vault fields', async () => {
  const res = await fetch(directory());
  assert.equal(res.status, 200);
  const body = await res.json() as unknown as Record<string, unknown>;
  for (const k of ['newNonce', 'newAccount', 'newOrder', 'revokeCert', 'keyChange']) assert.equal(typeof body[k], 'string');
  assert.deepEqual(body.meta, { externalAccountRequired: false });
  const head = await fetch(`${srv.url}/v1/pki/acme/new-nonce`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.ok(head.headers.get('replay-nonce'));
  assert.match(head.headers.get('link') ?? '', /rel="index"/);
  assert.equal(head.headers.get('cache-control'), 'no-store');
  assert.equal((await fetch(`${srv.url}/v1/pki/acme/new-nonce`)).status, 204);
});

test('auto() gets a localhost certificate that openssl verifies against the root', async () => {
  const client = await newClient();
  const [, csr] = await acme.crypto.createCsr({ commonName: 'localhost' });
  const chain = await client.auto({ csr, email: 'ops@example.com', termsOfServiceAgreed: true, ...http01 });
  const leaf = chain.split(/(?<=-----END CERTIFICATE-----)\n/)[0]!;
  const out = await openssl('verify', '-CAfile', files.write('root.pem', rootPem), files.write('leaf.pem', leaf));
  assert.equal(out.code, 0, out.out);
  const text = await openssl('x509', '-in', files.write('leaf2.pem', leaf), '-noout', '-text');
  assert.match(text.out, /DNS:localhost/);
  assert.match(text.out, /TLS Web Server Authentication/);
  assert.doesNotMatch(text.out, /Client Authentication/);
});

test('an IP identifier through createOrder, finalized and downloaded', async () => {
  const { client, order, challenge } = await orderWithChallenge({ type: 'ip', value: '127.0.0.1' });
  answers.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await client.completeChallenge(challenge);
  await client.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ altNames: ['127.0.0.1'] });
  const finalized = await client.finalizeOrder(order, csr);
  const chain = await client.getCertificate(finalized);
  const text = await openssl('x509', '-in', files.write('ip.pem', chain.split(/(?<=-----END CERTIFICATE-----)\n/)[0]!), '-noout', '-text');
  assert.match(text.out, /IP Address:127\.0\.0\.1/);
});

test('a wrong key authorization leaves the challenge invalid', async () => {
  const { client, order, challenge } = await orderWithChallenge({ type: 'dns', value: 'localhost' });
  answers.set(challenge.token, `${challenge.token}.wrong-thumbprint`);
  await client.completeChallenge(challenge);
  await assert.rejects(client.waitForValidStatus(challenge));
  const [again] = await client.getAuthorizations(order);
  assert.equal(again!.status, 'invalid');
  assert.equal(again!.challenges[0]!.status, 'invalid');
});

test('a role directory refuses names its role does not allow with rejectedIdentifier', async () => {
  const client = await newClient(directory('roles/acme-web/acme'));
  await client.createAccount({ termsOfServiceAgreed: true });
  await assert.rejects(client.createOrder({ identifiers: [{ type: 'dns', value: 'evil.org' }] }), (err: Error) => /evil\.org not allowed by this role/.test(err.message));
  const ok = await client.createOrder({ identifiers: [{ type: 'dns', value: 'www.example.com' }] });
  assert.equal(ok.status, 'pending');
});

test('a replayed nonce gets badNonce', async () => {
  const jose = await import('jose');
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
  const jwk = await jose.exportJWK(publicKey);
  const nonce = (await fetch(`${srv.url}/v1/pki/acme/new-nonce`, { method: 'HEAD' })).headers.get('replay-nonce')!;
  const url = `${srv.url}/v1/pki/acme/new-account`;
  const sign = () => new jose.FlattenedSign(new TextEncoder().encode(JSON.stringify({ termsOfServiceAgreed: true })))
    .setProtectedHeader({ alg: 'ES256', jwk, nonce, url }).sign(privateKey);
  const post = async () => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/jose+json' }, body: JSON.stringify(await sign()) });
  const first = await post();
  assert.equal(first.status, 201);
  assert.match(first.headers.get('location') ?? '', /\/acme\/account\//);
  const second = await post();
  assert.equal(second.status, 400);
  assert.equal(second.headers.get('content-type'), 'application/problem+json');
  assert.equal(((await second.json()) as { type: string }).type, 'urn:ietf:params:acme:error:badNonce');
});

test('validation retries while the challenge server is unreachable, then the order completes', async () => {
  const { client, order, challenge } = await orderWithChallenge({ type: 'dns', value: 'localhost' });
  answers.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  // Connections are refused for a while: each attempt fails and is retried.
  await new Promise<void>((r) => challengeServer.close(() => r()));
  await client.completeChallenge(challenge);
  await new Promise((r) => setTimeout(r, 1200));
  await new Promise<void>((r) => challengeServer.listen(challengePort, '127.0.0.1', r));
  await client.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ commonName: 'localhost' });
  const done = await client.finalizeOrder(order, csr);
  assert.equal(done.status, 'valid');
});

test('a seal and unseal during validation: the durable queue resumes the job and the order completes', async () => {
  const { client, order, challenge } = await orderWithChallenge({ type: 'dns', value: 'localhost' });
  answers.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await new Promise<void>((r) => challengeServer.close(() => r()));
  await client.completeChallenge(challenge);
  // Sealed, the job fails on storage and this process forgets it; only its stored queue entry remains.
  assert.equal((await srv.api('PUT', 'sys/seal')).status, 204);
  await new Promise((r) => setTimeout(r, 1500));
  await new Promise<void>((r) => challengeServer.listen(challengePort, '127.0.0.1', r));
  assert.equal((await srv.api('PUT', 'sys/unseal', { key: srv.unsealKey })).body.sealed, false);
  await client.waitForValidStatus(challenge);
  const [, csr] = await acme.crypto.createCsr({ commonName: 'localhost' });
  assert.equal((await client.finalizeOrder(order, csr)).status, 'valid');
});

test('EAB: always-required refuses accounts without one; a new-eab key works once', async () => {
  assert.equal((await srv.api('POST', 'pki/config/acme', { eab_policy: 'always-required' })).status, 200);
  try {
    const meta = (await (await fetch(directory())).json() as { meta: { externalAccountRequired: boolean } }).meta;
    assert.equal(meta.externalAccountRequired, true);
    const plain = await newClient();
    await assert.rejects(plain.createAccount({ termsOfServiceAgreed: true }), /external account binding/);
    const eab = (await srv.api('POST', 'pki/acme/new-eab', {})).body.data;
    assert.deepEqual([eab.key_type, eab.acme_directory], ['hs', 'acme/directory']);
    assert.ok((await srv.api('LIST', 'pki/eab')).body.data.keys.includes(eab.id));
    const accountKey = await acme.crypto.createPrivateEcdsaKey();
    const bound = new acme.Client({ directoryUrl: directory(), accountKey, externalAccountBinding: { kid: eab.id, hmacKey: eab.key } });
    const boundAccount = await bound.createAccount({ termsOfServiceAgreed: true }) as unknown as Record<string, unknown>;
    // Vault echoes the binding the request carried in a new account's answer only.
    assert.equal(typeof (boundAccount.externalAccountBinding as { protected?: string })?.protected, 'string');
    // The same key again, binding included: the existing account (200), without the echo.
    const again = new acme.Client({ directoryUrl: directory(), accountKey, externalAccountBinding: { kid: eab.id, hmacKey: eab.key } });
    const api = (again as unknown as { api: { createAccount(d: object): Promise<{ status: number; data: Record<string, unknown> }> } }).api;
    const existing = await api.createAccount({ termsOfServiceAgreed: true });
    assert.equal(existing.status, 200);
    assert.equal(existing.data.externalAccountBinding, undefined);
    assert.equal(existing.data.status, 'valid');
    const order = await bound.createOrder({ identifiers: [{ type: 'dns', value: 'localhost' }] });
    assert.equal(order.status, 'pending');
    const reuse = new acme.Client({ directoryUrl: directory(), accountKey: await acme.crypto.createPrivateEcdsaKey(), externalAccountBinding: { kid: eab.id, hmacKey: eab.key } });
    await assert.rejects(reuse.createAccount({ termsOfServiceAgreed: true }), /eab was already used/);
  } finally {
    await srv.api('POST', 'pki/config/acme', { eab_policy: 'not-required' });
  }
});

test('orders, authorizations and validated challenges carry RFC 3339 times in whole seconds; authorizations say wildcard', async () => {
  const seconds = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
  const { client, order, challenge } = await orderWithChallenge({ type: 'dns', value: 'localhost' });
  assert.match(order.expires ?? '', seconds);
  const [authz] = await client.getAuthorizations(order);
  assert.match(authz!.expires ?? '', seconds);
  assert.equal((authz as unknown as { wildcard: boolean }).wildcard, false);
  answers.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
  await client.completeChallenge(challenge);
  await client.waitForValidStatus(challenge);
  const [done] = await client.getAuthorizations(order);
  const validated = done!.challenges.find((c) => c.type === 'http-01') as unknown as { validated: string };
  assert.match(validated.validated, seconds);
});

test('account objects carry contact only when the account has one, as Vault\'s do', async () => {
  const bare = await (await newClient()).createAccount({ termsOfServiceAgreed: true }) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(bare).sort(), ['orders', 'status']);
  const withContact = await (await newClient()).createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@example.com'] }) as unknown as Record<string, unknown>;
  assert.deepEqual(withContact.contact, ['mailto:ops@example.com']);
  assert.equal(withContact.externalAccountBinding, undefined);
});
