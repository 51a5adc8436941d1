// External Secrets Operator (pkg/provider/vault), replayed: store validation, KV v2 reads with
// `property`, dataFrom `find.path`, PushSecret with check-and-set and DeleteSecret. ESO uses
// HashiCorp's Go client: no Content-Type, `X-Vault-Request: true`, LIST as `GET ?list=true`,
// and a 404 whose JSON body has no data means "no secret".
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { goClientHeaders, replay, type Answer, type Replay } from './replay.js';

const CANARY = 'canary-e50-4b7d'; // pushed as a secret value; must never reach the server log
let srv: TestServer;
let eso: Replay;
let esoToken: string;

before(async () => {
  srv = await startTestServer();
  await srv.api('PUT', 'sys/policies/acl/eso', {
    policy: 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }',
  });
  esoToken = (await srv.api('POST', 'auth/token/create', { policies: ['eso'], ttl: '1h' })).body.auth.client_token;
  eso = replay(srv.url, 'External Secrets Operator', goClientHeaders(esoToken));
});
after(async () => {
  eso.close();
  eso.ok(!srv.log().includes(CANARY), 'a pushed secret value reached the server log');
  await srv.close();
});

/** Go's Logical().ReadWithData: a 404 is "nil secret" unless its JSON carries data or warnings. */
function goRead(r: Replay, ans: Answer, what: string): Record<string, any> | undefined {
  if (ans.status === 404) {
    const body = r.json(ans, `${what} (404)`);
    const hasData = body.data !== null && body.data !== undefined && Object.keys(body.data).length > 0;
    return hasData || (Array.isArray(body.warnings) && body.warnings.length > 0) ? body : undefined;
  }
  r.status(ans, 200, what);
  return r.envelope(ans, what);
}

/** ESO's readSecret for a KV v2 store: data.data, or "no secret" (nil) for missing or deleted. */
async function readSecret(path: string, version = ''): Promise<Record<string, any> | undefined> {
  const what = `GET secret/data/${path}`;
  const secret = goRead(eso, await eso.send({ method: 'GET', path: `secret/data/${path}${version ? `?version=${version}` : ''}` }), what);
  if (!secret) return undefined;
  eso.ok('data' in secret.data, `${what} has no data.data field ("failed to find data field")`);
  if (secret.data.data === null) return undefined;
  eso.kind(secret.data.data, 'map', `${what} data.data`);
  return secret.data.data;
}

/** ESO's readSecretMetadata: custom_metadata values are type-asserted to string. */
async function readSecretMetadata(path: string): Promise<Record<string, string>> {
  const what = `GET secret/metadata/${path}`;
  const secret = goRead(eso, await eso.send({ method: 'GET', path: `secret/metadata/${path}` }), what);
  eso.ok(secret, `${what} found nothing ("secret not found")`);
  eso.stringMap(secret!.data.custom_metadata, `${what} data.custom_metadata`, ['null']);
  return secret!.data.custom_metadata ?? {};
}

/** ESO's listSecrets: `GET <mount>/metadata/<path>/?list=true`, recursing into folders. */
async function listSecrets(path: string): Promise<string[]> {
  const what = `LIST secret/metadata/${path}`;
  const ans = await eso.send({ method: 'GET', path: `secret/metadata/${path}?list=true` });
  const secret = goRead(eso, ans, what);
  eso.ok(secret, `${what} found nothing`);
  eso.strings(secret!.data.keys, `${what} data.keys`);
  const out: string[] = [];
  for (const key of secret!.data.keys as string[]) {
    if (key.endsWith('/')) out.push(...(await listSecrets(path + key)));
    else out.push(path + key);
  }
  return out;
}

test('store validation: lookup-self answers type, an integer ttl and expire_time (present even when null)', async () => {
  for (const [token, label] of [[esoToken, 'a TTL\'d token'], [srv.rootToken, 'the root token']] as const) {
    const ans = await eso.send({ method: 'GET', path: 'auth/token/lookup-self', token });
    eso.status(ans, 200, `GET auth/token/lookup-self with ${label}`);
    const data = eso.envelope(ans, 'lookup-self').data as Record<string, any>;
    eso.kind(data.type, 'string', 'lookup-self data.type ("could not assert token type")');
    eso.kind(data.ttl, 'int', 'lookup-self data.ttl (ttl.(json.Number).Int64())');
    eso.ok('expire_time' in data, 'lookup-self has no expire_time ("no expiration time found in response")');
    eso.kind(data.expire_time, ['string', 'null'], 'lookup-self data.expire_time');
    eso.kind(data.namespace_path, ['string', 'absent'], 'lookup-self data.namespace_path');
  }
  const child = (await eso.send({ method: 'GET', path: 'auth/token/lookup-self' })).body.data;
  eso.ok(child.ttl > 60 && typeof child.expire_time === 'string' && !Number.isNaN(Date.parse(child.expire_time)),
    `a 1h token reads as about to expire (ttl ${child.ttl}, expire_time ${child.expire_time}), so the store never validates`);
});

test('ExternalSecret with property: data.data[property], nested values by gjson path, and ?version=', async () => {
  await srv.api('POST', 'secret/data/app/db', { data: { password: 'first', conn: { host: 'db.internal', port: 5432 } } });
  await srv.api('POST', 'secret/data/app/db', { data: { password: 's3cr3t', conn: { host: 'db.internal', port: 5432 } } });
  const latest = await readSecret('app/db');
  eso.ok(latest, 'a written secret reads as "no secret"');
  eso.equal(latest!.password, 's3cr3t', 'property "password" of secret/data/app/db');
  eso.equal(latest!.conn, { host: 'db.internal', port: 5432 }, 'nested property "conn" (gjson conn.host)');
  eso.equal((await readSecret('app/db', '1'))!.password, 'first', 'property "password" at ?version=1');
  eso.equal(await readSecret('app/absent'), undefined, 'a missing secret (must be nil, "no secret")');
  const missing = await eso.send({ method: 'GET', path: 'secret/data/app/absent' });
  eso.equal(eso.errors(missing, 404, 'GET of a missing secret'), [], 'the errors of a missing secret\'s 404');
});

test('dataFrom find.path lists the folder tree with GET ?list=true and reads each secret', async () => {
  for (const p of ['team/a', 'team/b', 'team/sub/c']) await srv.api('POST', `secret/data/${p}`, { data: { name: p } });
  const names = (await listSecrets('team/')).sort();
  eso.equal(names, ['team/a', 'team/b', 'team/sub/c'], 'the secrets found under find.path "team"');
  for (const name of names) eso.equal((await readSecret(name))?.name, name, `secret ${name} found by path`);
  const none = await eso.send({ method: 'GET', path: 'secret/metadata/nothing-here/?list=true' });
  eso.equal(goRead(eso, none, 'LIST of an empty folder'), undefined, 'an empty folder\'s LIST (must be nil)');
});

test('PushSecret: metadata first, then data with options.cas 0; an update carries the current version', async () => {
  const path = 'pushed/creds';
  eso.equal(await readSecret(path), undefined, 'the not-yet-pushed secret');
  // Store with checkAndSet.required: a new key is pushed with cas 0 after its metadata.
  const label = { custom_metadata: { 'managed-by': 'external-secrets' } };
  eso.status(await eso.send({ method: 'PUT', path: `secret/metadata/${path}`, body: label }), 204, 'PUT secret/metadata (custom_metadata first)');
  const created = await eso.send({ method: 'PUT', path: `secret/data/${path}`, body: { data: { token: CANARY }, options: { cas: 0 } } });
  eso.status(created, 200, 'PUT secret/data with options.cas 0 after a metadata-only write');
  eso.equal(eso.envelope(created, 'the push').data.version, 1, 'the first pushed version');

  // The next reconcile: read, check ownership, read current_version, write with cas = it.
  eso.equal((await readSecret(path))?.token, CANARY, 'the pushed value read back');
  eso.equal((await readSecretMetadata(path))['managed-by'], 'external-secrets', 'custom_metadata "managed-by"');
  const meta = await eso.send({ method: 'GET', path: `secret/metadata/${path}` });
  eso.kind(eso.envelope(meta, 'GET secret/metadata').data.current_version, 'int', 'metadata current_version (getCurrentVersionFromMetadata)');
  const cas = meta.body.data.current_version as number;
  eso.status(await eso.send({ method: 'PUT', path: `secret/metadata/${path}`, body: label }), 204, 'PUT secret/metadata again');
  const updated = await eso.send({ method: 'PUT', path: `secret/data/${path}`, body: { data: { token: 'rotated' }, options: { cas } } });
  eso.status(updated, 200, `PUT secret/data with options.cas ${cas}`);
  eso.equal(updated.body.data.version, 2, 'the updated version');
  const stale = await eso.send({ method: 'PUT', path: `secret/data/${path}`, body: { data: { token: 'late' }, options: { cas } } });
  eso.equal(eso.errors(stale, 400, 'a push with a stale cas'), ['check-and-set parameter did not match the current version'], 'the stale-cas error');
});

test('a soft-deleted secret answers 404 with data null and metadata.deletion_time: ESO reads "no secret"', async () => {
  await srv.api('POST', 'secret/data/gone', { data: { v: 'x' } });
  eso.status(await eso.send({ method: 'DELETE', path: 'secret/data/gone' }), 204, 'DELETE secret/data/gone');
  const ans = await eso.send({ method: 'GET', path: 'secret/data/gone' });
  eso.status(ans, 404, 'GET of a soft-deleted secret');
  const body = eso.envelope(ans, 'GET of a soft-deleted secret');
  eso.ok(body.data && 'data' in body.data && body.data.data === null, `the deleted secret's data.data is ${JSON.stringify(body.data?.data)}, not null`);
  eso.kind(body.data.metadata?.deletion_time, 'string', 'the deleted secret\'s metadata.deletion_time');
  eso.ok(body.data.metadata.deletion_time !== '', 'the deleted secret\'s metadata.deletion_time is empty');
  eso.equal(await readSecret('gone'), undefined, 'the soft-deleted secret (must be "no secret")');
});

test('DeleteSecret of a pushed secret: data, then metadata; both 204, then a plain 404', async () => {
  const path = 'pushed/remove-me';
  await eso.send({ method: 'PUT', path: `secret/metadata/${path}`, body: { custom_metadata: { 'managed-by': 'external-secrets' } } });
  await eso.send({ method: 'PUT', path: `secret/data/${path}`, body: { data: { k: 'v' }, options: { cas: 0 } } });
  eso.equal((await readSecretMetadata(path))['managed-by'], 'external-secrets', 'the owner label before deleting');
  eso.status(await eso.send({ method: 'DELETE', path: `secret/data/${path}` }), 204, 'DELETE secret/data');
  eso.status(await eso.send({ method: 'DELETE', path: `secret/metadata/${path}` }), 204, 'DELETE secret/metadata');
  eso.equal(eso.errors(await eso.send({ method: 'GET', path: `secret/data/${path}` }), 404, 'GET after DeleteSecret'), [], 'errors after DeleteSecret');
  eso.status(await eso.send({ method: 'DELETE', path: `secret/metadata/${path}` }), 204, 'a second DELETE secret/metadata (idempotent)');
});
