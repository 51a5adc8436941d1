// The Kubernetes method against an HTTPS Kubernetes API stand-in: config and role checks with
// Vault's texts, logins through glob names/namespaces and a namespace selector, TokenReview
// refusals (revoked, deleted account, audience), pem_keys refusing a forged signature before any
// review, alias naming and annotation metadata in the identity store, the pod's own token
// re-read after a minute, and a canary for the JWTs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'jose';
import { ManualClock } from '../../../src/util/clock.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { AUTH_BLOCK_KEYS, assertRenewsWithCurrentTtls } from '../helpers.js';
import { startKubeApi, type KubeApi } from './kube-api.js';

const clock = new ManualClock(Date.now());
const nowSec = () => Math.floor(clock.now() / 1000);
const saDir = mkdtempSync(join(tmpdir(), 'lockbox-k8s-sa-'));
const auditFile = join(mkdtempSync(join(tmpdir(), 'lockbox-k8s-audit-')), 'audit.log');
process.env.LOCKBOX_KUBERNETES_SERVICE_ACCOUNT_DIR = saDir;

let kube: KubeApi;
let server: RunningServer;
const lines: string[] = [];
/** Every answer body the tests saw, for the canary. */
const seen: string[] = [];
let reviewerJwt = '';

async function api(method: string, path: string, body?: unknown, token = server.rootToken) {
  const r = await fetch(`${server.url}/v1/${path}`, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Vault-Token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  seen.push(text);
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
const login = (jwt: string, role = 'ci', mount = 'kubernetes') => api('POST', `auth/${mount}/login`, { role, jwt }, '');
const errorsOf = async (p: Promise<{ status: number; body: any }>) => { const r = await p; return [r.status, r.body?.errors] as const; };

before(async () => {
  kube = await startKubeApi();
  kube.addNamespace('team-a', { team: 'a' });
  kube.addNamespace('labeled', { env: 'prod', tier: 'backend' });
  kube.addNamespace('plain', { env: 'dev' });
  kube.addAccount('kube-system', 'vault-reviewer');
  reviewerJwt = await kube.mint('kube-system', 'vault-reviewer', { nowSec: nowSec() });
  server = await startServer({
    dev: true, storage: { type: 'memory' }, listener: { address: '127.0.0.1:0' }, ui: false, clock,
    logLevel: 'debug', logSink: (line) => lines.push(line),
  });
  assert.equal((await api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: auditFile } })).status, 204);
  assert.equal((await api('POST', 'sys/auth/kubernetes', { type: 'kubernetes' })).status, 204);
  const cfg = await api('POST', 'auth/kubernetes/config', { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: reviewerJwt });
  assert.equal(cfg.status, 204, JSON.stringify(cfg.body));
  const role = await api('POST', 'auth/kubernetes/role/ci', {
    bound_service_account_names: 'ci-*', bound_service_account_namespaces: ['build', 'team-*'], audience: 'vault', token_policies: ['ci'],
  });
  assert.equal(role.status, 204, JSON.stringify(role.body));
});
after(async () => {
  await server.close();
  await kube.close();
  for (const dir of [saDir, join(auditFile, '..')]) rmSync(dir, { recursive: true, force: true });
});

test('config: Vault\'s texts, defaults, and the reviewer JWT never read back', async () => {
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/config', { kubernetes_ca_cert: kube.caPem })), [400, ['no host provided']]);
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/config', { kubernetes_host: kube.url, kubernetes_ca_cert: 'not a pem' })),
    [400, ['The provided CA PEM data contains no valid certificates']]);
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/config', { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, pem_keys: ['junk'] })),
    [400, ['data does not contain any valid RSA or ECDSA public keys']]);
  // No CA of its own and none in the pod's directory: the write fails as Vault's does.
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/config', { kubernetes_host: kube.url })),
    [400, [`open ${join(saDir, 'ca.crt')}: no such file or directory`]]);
  const read = await api('GET', 'auth/kubernetes/config');
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.data, {
    kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, pem_keys: [], issuer: '', disable_iss_validation: true,
    disable_local_ca_jwt: false, token_reviewer_jwt_set: true, use_annotations_as_alias_metadata: false,
  });
});

test('role: required bindings, "*" alone, selector syntax, alias source, and the audience warning', async () => {
  const write = (body: Record<string, unknown>) => errorsOf(api('POST', 'auth/kubernetes/role/r', body));
  assert.deepEqual(await write({ bound_service_account_namespaces: 'x' }), [400, ['"bound_service_account_names" can not be empty']]);
  assert.deepEqual(await write({ bound_service_account_names: ['*', 'a'], bound_service_account_namespaces: 'x' }), [400, ['can not mix "*" with values']]);
  assert.deepEqual(await write({ bound_service_account_names: 'a', bound_service_account_namespaces: ['*', 'b'] }), [400, ['can not mix "*" with values']]);
  assert.deepEqual(await write({ bound_service_account_names: 'a' }),
    [400, ['"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set']]);
  assert.deepEqual(await write({ bound_service_account_names: 'a', bound_service_account_namespace_selector: '{"matchExpressions":[{"key":"a","operator":"Near"}]}' }),
    [400, ['invalid "bound_service_account_namespace_selector" configured']]);
  assert.deepEqual(await write({ bound_service_account_names: 'a', bound_service_account_namespaces: 'b', alias_name_source: 'pod' }),
    [400, ['invalid alias_name_source, must be one of: serviceaccount_uid, serviceaccount_name']]);
  const warned = await api('POST', 'auth/kubernetes/role/r', { bound_service_account_names: 'a', bound_service_account_namespaces: 'b', ttl: '1h', policies: 'p' });
  assert.equal(warned.status, 200);
  assert.deepEqual(warned.body.warnings, ['Role r does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.']);
  const read = (await api('GET', 'auth/kubernetes/role/r')).body.data;
  assert.equal(read.alias_name_source, 'serviceaccount_uid');
  assert.equal(read.token_ttl, 3600);
  assert.equal(read.ttl, 3600);
  assert.deepEqual(read.policies, ['p']);
  assert.equal('audience' in read, false);
  assert.deepEqual((await api('LIST', 'auth/kubernetes/role')).body.data.keys, ['ci', 'r']);
  assert.equal((await api('DELETE', 'auth/kubernetes/role/r')).status, 204);
  assert.equal((await api('GET', 'auth/kubernetes/role/r')).status, 404);
});

test('ci-* in build/team-* admits ci-runner in team-a; other names and namespaces get Vault\'s 403 texts before any review', async () => {
  const uid = kube.addAccount('team-a', 'ci-runner');
  kube.addAccount('team-a', 'web');
  kube.addAccount('prod', 'ci-runner');
  const jwt = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  const before = kube.reviews().length;
  const ok = await login(jwt);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const auth = ok.body.auth;
  for (const k of AUTH_BLOCK_KEYS) assert.ok(k in auth, k);
  assert.deepEqual(auth.token_policies, ['ci', 'default']);
  assert.deepEqual(auth.metadata, {
    role: 'ci', service_account_name: 'ci-runner', service_account_namespace: 'team-a', service_account_uid: uid, service_account_secret_name: '',
  });
  // The review went out with the reviewer JWT as bearer and the role's audience.
  const review = kube.reviews().at(-1)!;
  assert.equal(kube.reviews().length, before + 1);
  assert.equal(review.bearer, reviewerJwt);
  assert.deepEqual(review.body.spec, { token: jwt, audiences: ['vault'] });
  const self = await api('GET', 'auth/token/lookup-self', undefined, auth.client_token);
  assert.equal(self.body.data.display_name, 'kubernetes-team-a-ci-runner');
  assert.equal(self.body.data.entity_id, auth.entity_id);

  const reviews = kube.reviews().length;
  assert.deepEqual(await errorsOf(login(await kube.mint('team-a', 'web', { audiences: ['vault'], nowSec: nowSec() }))), [403, ['service account name not authorized']]);
  assert.deepEqual(await errorsOf(login(await kube.mint('prod', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }))), [403, ['namespace not authorized']]);
  assert.equal(kube.reviews().length, reviews);
});

test('login refusals before the token: missing fields and an unknown role', async () => {
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/login', { jwt: 'x' }, '')), [400, ['missing role']]);
  assert.deepEqual(await errorsOf(api('POST', 'auth/kubernetes/login', { role: 'ci' }, '')), [400, ['missing jwt']]);
  assert.deepEqual(await errorsOf(login('x', 'nope')), [400, ['invalid role name "nope"']]);
  assert.deepEqual(await errorsOf(login('not-a-jwt')), [403, ['permission denied']]);
  // PUT is a login too (Vault Agent and ESO send either).
  const jwt = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  assert.equal((await api('PUT', 'auth/kubernetes/login', { role: 'ci', jwt }, '')).status, 200);
  // token_bound_cidrs also bounds where a login may come from.
  assert.equal((await api('POST', 'auth/kubernetes/role/far', {
    bound_service_account_names: '*', bound_service_account_namespaces: '*', audience: 'vault', token_bound_cidrs: '10.0.0.0/8',
  })).status, 204);
  const reviews = kube.reviews().length;
  assert.deepEqual(await errorsOf(login(jwt, 'far')), [403, ['permission denied']]);
  assert.equal(kube.reviews().length, reviews);
});

test('the deprecated token fields set the token_ ones; a read shows them only while set, as Vault does', async () => {
  const base = { bound_service_account_names: 'ci-runner', bound_service_account_namespaces: 'team-a', audience: 'vault' };
  assert.equal((await api('POST', 'auth/kubernetes/role/old', { ...base, policies: 'ci', ttl: '10m', max_ttl: '1h', num_uses: 0 })).status, 204);
  const r = (await api('GET', 'auth/kubernetes/role/old')).body.data;
  assert.deepEqual([r.token_ttl, r.token_max_ttl, r.token_policies], [600, 3600, ['ci']]);
  assert.deepEqual([r.ttl, r.max_ttl, r.policies], [600, 3600, ['ci']]);
  assert.ok(!('num_uses' in r), 'a zero deprecated value is not shown');
  const auth = (await login(await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }), 'old')).body.auth;
  assert.equal(auth.lease_duration, 600);
  assert.equal((await api('POST', 'auth/kubernetes/role/old', { token_ttl: '5m' })).status, 204);
  const after = (await api('GET', 'auth/kubernetes/role/old')).body.data;
  assert.ok(!('ttl' in after));
  assert.equal(after.max_ttl, 3600);
  assert.equal((await api('DELETE', 'auth/kubernetes/role/old')).status, 204);
});

test('a token_period above the mount\'s max TTL is refused with Vault\'s text', async () => {
  const base = { bound_service_account_names: 'ci-runner', bound_service_account_namespaces: 'team-a', audience: 'vault' };
  for (const body of [{ token_period: '800h' }, { period: '800h' }]) {
    const r = await api('POST', 'auth/kubernetes/role/long', { ...base, ...body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.deepEqual(r.body.errors, ['token period of \'"800h0m0s"\' is greater than the backend\'s maximum lease TTL of \'"768h0m0s"\'']);
  }
  assert.equal((await api('GET', 'auth/kubernetes/role/long')).status, 404);
});

test('renewal follows the role: its current TTL, and no renewal once it is gone', async () => {
  assert.equal((await api('POST', 'auth/kubernetes/role/short', {
    bound_service_account_names: 'ci-runner', bound_service_account_namespaces: 'team-a', audience: 'vault', token_ttl: '10m', token_max_ttl: '1h',
  })).status, 204);
  const r = await login(await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }), 'short');
  assert.equal(r.body.auth.lease_duration, 600);
  const token = r.body.auth.client_token;
  // The role's max TTL as it is now caps the renewal.
  assert.equal((await api('POST', 'auth/kubernetes/role/short', { token_max_ttl: '30m' })).status, 204);
  const renewed = await api('POST', 'auth/token/renew-self', { increment: '1h' }, token);
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
  assert.equal(renewed.body.auth.lease_duration, 1800);
  assert.equal((await api('DELETE', 'auth/kubernetes/role/short')).status, 204);
  const refused = await api('POST', 'auth/token/renew-self', {}, token);
  assert.deepEqual([refused.status, refused.body.errors], [400, ['role short does not exist during renewal']]);
});

test('renewal applies the role\'s current token_ttl and token_max_ttl, as Vault re-reads the role', async () => {
  assert.equal((await api('POST', 'auth/kubernetes/role/ttls', {
    bound_service_account_names: 'ci-runner', bound_service_account_namespaces: 'team-a', audience: 'vault', token_ttl: '10m', token_max_ttl: '1h',
  })).status, 204);
  const r = await login(await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }), 'ttls');
  assert.equal(r.body.auth.lease_duration, 600);
  const token = r.body.auth.client_token;
  assert.equal((await api('POST', 'auth/kubernetes/role/ttls', { token_ttl: '20m', token_max_ttl: '30m' })).status, 204);
  await assertRenewsWithCurrentTtls((body) => api('POST', 'auth/token/renew-self', body, token), 0);
  assert.equal((await api('DELETE', 'auth/kubernetes/role/ttls')).status, 204);
});

test('a namespace matching only the label selector logs in (JSON and YAML selectors)', async () => {
  kube.addAccount('labeled', 'ci-runner');
  kube.addAccount('plain', 'ci-runner');
  assert.equal((await api('POST', 'auth/kubernetes/role/sel', {
    bound_service_account_names: 'ci-runner', bound_service_account_namespaces: 'build',
    bound_service_account_namespace_selector: '{"matchLabels":{"env":"prod"}}', audience: 'vault',
  })).status, 204);
  const labeled = await kube.mint('labeled', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  const plain = await kube.mint('plain', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  assert.equal((await login(labeled, 'sel')).status, 200);
  const lookup = kube.requests.filter((r) => r.path === '/api/v1/namespaces/labeled').at(-1)!;
  assert.equal(lookup.bearer, reviewerJwt);
  assert.deepEqual(await errorsOf(login(plain, 'sel')), [403, ['namespace not authorized']]);
  // YAML, with expressions: tier In (backend), env NotIn (dev), and a label that must be absent.
  assert.equal((await api('POST', 'auth/kubernetes/role/sel', {
    bound_service_account_names: 'ci-runner', audience: 'vault',
    bound_service_account_namespace_selector: 'matchExpressions:\n  - {key: tier, operator: In, values: [backend]}\n  - {key: env, operator: NotIn, values: [dev]}\n  - {key: frozen, operator: DoesNotExist}\n',
  })).status, 204);
  assert.equal((await login(labeled, 'sel')).status, 200);
  assert.deepEqual(await errorsOf(login(plain, 'sel')), [403, ['namespace not authorized']]);
  // A role bound by a selector alone reads its unset namespace list back as null, as Vault does.
  assert.equal((await api('POST', 'auth/kubernetes/role/sel-only', {
    bound_service_account_names: 'ci-runner', audience: 'vault', bound_service_account_namespace_selector: '{"matchLabels":{"env":"prod"}}',
  })).status, 204);
  assert.equal((await api('GET', 'auth/kubernetes/role/sel-only')).body.data.bound_service_account_namespaces, null);
  // An unknown namespace: the lookup's failure is part of Vault's text.
  kube.addAccount('ghost', 'ci-runner');
  const ghost = await kube.mint('ghost', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  kube.deleteNamespace('ghost');
  assert.deepEqual(await errorsOf(login(ghost, 'sel')), [403, ['namespace not authorized err=failed to get namespace (code 404 status namespaces "ghost" not found)']]);
});

test('a revoked token, a deleted account, and a wrong audience get 403', async () => {
  kube.addAccount('build', 'ci-gone');
  const revoked = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  kube.revoke(revoked);
  assert.deepEqual(await errorsOf(login(revoked)), [403, ['permission denied']]);
  const orphan = await kube.mint('build', 'ci-gone', { audiences: ['vault'], nowSec: nowSec() });
  kube.deleteAccount('build', 'ci-gone');
  assert.deepEqual(await errorsOf(login(orphan)), [403, ['permission denied']]);
  const other = await kube.mint('team-a', 'ci-runner', { audiences: ['other'], nowSec: nowSec() });
  assert.deepEqual(await errorsOf(login(other)), [403, ['invalid audience (aud) claim: audience claim does not match any expected audience']]);
  // Times are checked with the injected clock (60 s skew).
  const expired = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() - 3661 - 60 });
  assert.deepEqual(await errorsOf(login(expired)), [403, ['invalid expiration time (exp) claim: token is expired']]);
  const early = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() + 61 });
  assert.deepEqual(await errorsOf(login(early)), [403, ['invalid not before (nbf) claim: token not yet valid']]);
  // The reasons reached the debug log.
  assert.match(lines.join('\n'), /lookup failed: \[invalid bearer token, token lookup failed\]/);
});

test('with pem_keys, a forged signature gets 403 before any TokenReview; a genuine one logs in', async () => {
  assert.equal((await api('POST', 'sys/auth/k8s-keys', { type: 'kubernetes' })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-keys/config', {
    kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: reviewerJwt, pem_keys: [kube.publicKeyPem],
    disable_iss_validation: false, issuer: 'https://kubernetes.default.svc.cluster.local',
  })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-keys/role/ci', { bound_service_account_names: '*', bound_service_account_namespaces: '*' })).status, 200);
  const forger = await generateKeyPair('RS256');
  const forged = await kube.mint('team-a', 'ci-runner', { key: forger.privateKey, nowSec: nowSec() });
  const reviews = kube.reviews().length;
  assert.deepEqual(await errorsOf(login(forged, 'ci', 'k8s-keys')), [403, ['permission denied']]);
  assert.equal(kube.reviews().length, reviews);
  assert.equal((await login(await kube.mint('team-a', 'ci-runner', { nowSec: nowSec() }), 'ci', 'k8s-keys')).status, 200);
  // Issuer validation is on for this mount: a legacy token's iss is not the configured one.
  assert.deepEqual(await errorsOf(login(await kube.mint('team-a', 'ci-runner', { shape: 'legacy' }), 'ci', 'k8s-keys')), [403, ['invalid issuer (iss) claim']]);
  assert.equal(kube.reviews().length, reviews + 1);
});

test('identity: alias_name_source names the alias; the entity is created once and reused; legacy tokens work', async () => {
  const uid = kube.addAccount('team-b', 'ci-builder');
  assert.equal((await api('POST', 'auth/kubernetes/role/byname', {
    bound_service_account_names: 'ci-builder', bound_service_account_namespaces: 'team-b', alias_name_source: 'serviceaccount_name',
  })).status, 200);
  const accessor = (await api('GET', 'sys/auth')).body.data['kubernetes/'].accessor;
  const entities = async () => (await api('LIST', 'identity/entity/id')).body?.data?.keys?.length ?? 0;
  const first = await login(await kube.mint('team-b', 'ci-builder', { shape: 'legacy' }), 'byname');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.auth.metadata.service_account_secret_name, 'ci-builder-token-x1y2z');
  const count = await entities();
  const again = await login(await kube.mint('team-b', 'ci-builder', { shape: 'projected', nowSec: nowSec() }), 'byname');
  assert.equal(again.body.auth.entity_id, first.body.auth.entity_id);
  assert.equal(await entities(), count);
  const entity = (await api('GET', `identity/entity/id/${first.body.auth.entity_id}`)).body.data;
  const alias = entity.aliases.find((a: any) => a.mount_accessor === accessor);
  assert.equal(alias.name, 'team-b/ci-builder');
  assert.equal(alias.metadata.service_account_uid, uid);
  // The same account through a uid-named role is another alias on the mount: the uid.
  assert.equal((await api('POST', 'auth/kubernetes/role/byuid', { bound_service_account_names: 'ci-builder', bound_service_account_namespaces: 'team-b' })).status, 200);
  const byUid = await login(await kube.mint('team-b', 'ci-builder', { nowSec: nowSec() }), 'byuid');
  const other = (await api('GET', `identity/entity/id/${byUid.body.auth.entity_id}`)).body.data;
  assert.equal(other.aliases.find((a: any) => a.mount_accessor === accessor).name, uid);
  assert.notEqual(byUid.body.auth.entity_id, first.body.auth.entity_id);
});

test('annotations become alias metadata; a reserved key is refused with Vault\'s text', async () => {
  assert.equal((await api('POST', 'sys/auth/k8s-annotated', { type: 'kubernetes' })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-annotated/config', {
    kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: reviewerJwt, use_annotations_as_alias_metadata: true,
  })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-annotated/role/any', { bound_service_account_names: '*', bound_service_account_namespaces: '*', audience: 'vault' })).status, 204);
  kube.addAccount('team-c', 'ci-annotated', { 'vault.hashicorp.com/alias-metadata-env': 'prod', 'vault.hashicorp.com/alias-metadata-owner': 'platform', 'other.io/x': 'y' });
  kube.addAccount('team-c', 'ci-sneaky', { 'vault.hashicorp.com/alias-metadata-service_account_uid': 'spoofed' });
  const ok = await login(await kube.mint('team-c', 'ci-annotated', { audiences: ['vault'], nowSec: nowSec() }), 'any', 'k8s-annotated');
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const lookup = kube.requests.filter((r) => r.path === '/api/v1/namespaces/team-c/serviceaccounts/ci-annotated').at(-1)!;
  assert.equal(lookup.bearer, reviewerJwt);
  const accessor = (await api('GET', 'sys/auth')).body.data['k8s-annotated/'].accessor;
  const entity = (await api('GET', `identity/entity/id/${ok.body.auth.entity_id}`)).body.data;
  const alias = entity.aliases.find((a: any) => a.mount_accessor === accessor);
  assert.equal(alias.metadata.env, 'prod');
  assert.equal(alias.metadata.owner, 'platform');
  assert.equal(alias.metadata.service_account_name, 'ci-annotated');
  assert.equal('x' in alias.metadata, false);
  // Token metadata has only the account fields and the role.
  assert.equal(ok.body.auth.metadata.env, undefined);
  assert.deepEqual(await errorsOf(login(await kube.mint('team-c', 'ci-sneaky', { audiences: ['vault'], nowSec: nowSec() }), 'any', 'k8s-annotated')),
    [400, ['entity alias metadata keys for only internal use found from the client token\'s associated service account annotations: keys=["service_account_uid"]']]);
});

test('without a reviewer JWT or CA, the pod\'s token and CA are used; the token is re-read after a minute', async () => {
  kube.addAccount('kube-system', 'lockbox');
  const podToken1 = await kube.mint('kube-system', 'lockbox', { nowSec: nowSec() });
  writeFileSync(join(saDir, 'token'), `${podToken1}\n`);
  writeFileSync(join(saDir, 'ca.crt'), kube.caPem);
  assert.equal((await api('POST', 'sys/auth/k8s-pod', { type: 'kubernetes' })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-pod/config', { kubernetes_host: kube.url })).status, 204);
  assert.equal((await api('GET', 'auth/k8s-pod/config')).body.data.token_reviewer_jwt_set, false);
  assert.equal((await api('POST', 'auth/k8s-pod/role/ci', { bound_service_account_names: 'ci-*', bound_service_account_namespaces: 'team-*', audience: 'vault' })).status, 204);
  const jwt = () => kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() });
  assert.equal((await login(await jwt(), 'ci', 'k8s-pod')).status, 200);
  assert.equal(kube.reviews().at(-1)!.bearer, podToken1);
  // The kubelet rotates the projected token: within the minute the cached one is still sent.
  const podToken2 = await kube.mint('kube-system', 'lockbox', { nowSec: nowSec() + 1 });
  writeFileSync(join(saDir, 'token'), podToken2);
  assert.equal((await login(await jwt(), 'ci', 'k8s-pod')).status, 200);
  assert.equal(kube.reviews().at(-1)!.bearer, podToken1);
  clock.advance(61_000);
  assert.equal((await login(await jwt(), 'ci', 'k8s-pod')).status, 200);
  assert.equal(kube.reviews().at(-1)!.bearer, podToken2);
  // disable_local_ca_jwt: no pod token, so the login JWT is its own bearer; the CA is then the config's.
  assert.equal((await api('POST', 'auth/k8s-pod/config', { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, disable_local_ca_jwt: true })).status, 204);
  const own = await jwt();
  assert.equal((await login(own, 'ci', 'k8s-pod')).status, 200);
  assert.equal(kube.reviews().at(-1)!.bearer, own);
});

test('a bearer the API does not know gets its 401; the login is 403 with the reason only in the debug log', async () => {
  assert.equal((await api('POST', 'sys/auth/k8s-bad', { type: 'kubernetes' })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-bad/config', { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: 'canary-reviewer-not-known' })).status, 204);
  assert.equal((await api('POST', 'auth/k8s-bad/role/ci', { bound_service_account_names: '*', bound_service_account_namespaces: '*', audience: 'vault' })).status, 204);
  const r = await login(await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }), 'ci', 'k8s-bad');
  assert.deepEqual([r.status, r.body.errors], [403, ['permission denied']]);
  const last = kube.reviews().at(-1)!;
  assert.equal(last.status, 401);
  assert.equal(last.bearer, 'canary-reviewer-not-known');
  assert.match(lines.join('\n'), /service account unauthorized; this could mean it has been deleted or recreated with a new token/);
  // TLS trusts only the configured CA: another CA's bundle fails the handshake (403 again).
  const { mintTls } = await import('./kube-api.js');
  const stranger = (await mintTls()).caPem;
  assert.equal((await api('POST', 'auth/k8s-bad/config', { kubernetes_host: kube.url, kubernetes_ca_cert: stranger, token_reviewer_jwt: reviewerJwt })).status, 204);
  const reviews = kube.reviews().length;
  const tls = await login(await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], nowSec: nowSec() }), 'ci', 'k8s-bad');
  assert.deepEqual([tls.status, tls.body.errors], [403, ['permission denied']]);
  assert.equal(kube.reviews().length, reviews);
});

test('canary: no login JWT or reviewer JWT appears in the log, the audit log, or any answer', async () => {
  const canary = await kube.mint('team-a', 'ci-runner', { audiences: ['vault'], claims: { canary: 'x' }, nowSec: nowSec() });
  kube.revoke(canary);
  await login(canary);
  const log = lines.join('\n');
  // The log is at debug level and holds the refusal reasons, so the check below means something.
  assert.match(log, /login unauthorized/);
  if (process.env.K8S_DUMP_LOG) console.log(log);
  const audit = readFileSync(auditFile, 'utf8');
  assert.match(audit, /auth\/kubernetes\/login/);
  const secrets = [reviewerJwt, canary, 'canary-reviewer-not-known'];
  for (const jwt of kube.requests.map((r) => r.body?.spec?.token).filter(Boolean)) secrets.push(jwt);
  for (const s of secrets) {
    const sig = s.split('.')[2] ?? s;
    assert.ok(!log.includes(sig), 'a token reached the log');
    assert.ok(!audit.includes(sig), 'a token reached the audit log');
    assert.ok(!seen.some((body) => body.includes(sig)), 'a token reached an answer');
  }
});
