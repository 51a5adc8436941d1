// The Terraform provider for Vault, replayed: its start-up (lookup-self, a child token, the
// server version from sys/seal-status) and the requests behind vault_mount, vault_policy,
// vault_kv_secret_v2 and vault_auth_backend. The provider uses HashiCorp's Go client and
// decodes answers into typed structs with mapstructure or type assertions: a string where an
// int belongs, a number where a string belongs, or a missing bool is an error or a panic.
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { goClientHeaders, replay, type Replay } from './replay.js';

const CANARY = 'canary-7f0-c2d1'; // a vault_kv_secret_v2 value; must never reach the server log
let srv: TestServer;
let tf: Replay;

before(async () => {
  srv = await startTestServer();
  tf = replay(srv.url, 'Terraform', goClientHeaders(srv.rootToken));
});
after(async () => {
  tf.close();
  if (srv.log().includes(CANARY)) throw new Error('a vault_kv_secret_v2 value reached the server log');
  await srv.close();
});

/** What api.TokenCreateRequest marshals to for the provider's child token (omitempty fields gone). */
const childTokenRequest = { ttl: '1200s', explicit_max_ttl: '1200s', display_name: 'terraform', num_uses: 0, renewable: false, type: '', entity_alias: '' };

test('start-up: lookup-self, then a child token that inherits the parent\'s policies, then sys/seal-status', async () => {
  // The provider's documented minimum: update on auth/token/create for its child token.
  await srv.api('PUT', 'sys/policies/acl/tf', { policy: 'path "secret/*" { capabilities = ["read"] }\npath "auth/token/create" { capabilities = ["update"] }' });
  const parent = (await srv.api('POST', 'auth/token/create', { policies: ['tf'], ttl: '2h' })).body.auth.client_token as string;
  for (const [token, label] of [[srv.rootToken, 'a root token'], [parent, 'a token with policy tf']] as const) {
    const self = await tf.send({ method: 'GET', path: 'auth/token/lookup-self', token });
    tf.status(self, 200, `GET auth/token/lookup-self with ${label}`);
    const data = tf.envelope(self, 'lookup-self').data as Record<string, any>;
    // tokenInfo.Data["namespace_path"].(string) when present; TokenPolicies(); TokenTTL().
    tf.kind(data.namespace_path, ['string', 'absent'], 'lookup-self data.namespace_path');
    tf.strings(data.policies, 'lookup-self data.policies');
    tf.kind(data.ttl, 'int', 'lookup-self data.ttl');

    const created = await tf.send({ method: 'POST', path: 'auth/token/create', token, body: childTokenRequest });
    tf.status(created, 200, `POST auth/token/create (the child token) under ${label}`);
    const auth = tf.authBlock(created, 'the child token');
    tf.equal(auth.policies, data.policies, `the child token's policies under ${label} (must inherit the parent's)`);
    tf.equal([auth.lease_duration, auth.renewable], [1200, false], 'the child token\'s [lease_duration, renewable]');

    const child = await tf.send({ method: 'GET', path: 'auth/token/lookup-self', token: auth.client_token });
    tf.status(child, 200, 'lookup-self with the child token');
    tf.equal([child.body.data.explicit_max_ttl, child.body.data.display_name], [1200, 'token-terraform'], 'the child token\'s [explicit_max_ttl, display_name]');
  }

  // getVaultVersion: a clone with ClearNamespace(), so no X-Vault-Namespace header at all.
  const seal = await tf.send({ method: 'GET', path: 'sys/seal-status' });
  tf.status(seal, 200, 'GET sys/seal-status');
  const s = tf.json(seal, 'sys/seal-status');
  tf.semver(s.version, 'sys/seal-status "version"');
  for (const k of ['type', 'nonce', 'build_date', 'storage_type', 'cluster_name', 'cluster_id']) tf.kind(s[k], 'string', `sys/seal-status "${k}"`);
  for (const k of ['initialized', 'sealed', 'migration', 'recovery_seal']) tf.kind(s[k], 'bool', `sys/seal-status "${k}"`);
  for (const k of ['t', 'n', 'progress']) tf.kind(s[k], 'int', `sys/seal-status "${k}"`);
  tf.equal([s.sealed, s.initialized], [false, true], 'sys/seal-status [sealed, initialized]');
});

/** api.MountOutput as mapstructure decodes it from sys/mounts/<path> (and each sys/mounts entry). */
function checkMountOutput(r: Replay, m: Record<string, any>, what: string): void {
  for (const k of ['uuid', 'type', 'description', 'accessor', 'plugin_version', 'running_plugin_version', 'running_sha256']) r.kind(m[k], 'string', `${what} "${k}"`);
  for (const k of ['local', 'seal_wrap', 'external_entropy_access']) r.kind(m[k], 'bool', `${what} "${k}"`);
  r.ok(m.accessor !== '', `${what} has an empty accessor, which the provider reads as "mount not found"`);
  r.stringMap(m.options, `${what} "options"`, ['null']);
  r.kind(m.config, 'map', `${what} "config"`);
  r.kind(m.config.default_lease_ttl, 'int', `${what} config.default_lease_ttl`);
  r.kind(m.config.max_lease_ttl, 'int', `${what} config.max_lease_ttl`);
  r.kind(m.config.force_no_cache, 'bool', `${what} config.force_no_cache`);
}

test('vault_mount: create with string TTLs and an options map, read, tune, list, destroy', async () => {
  const input = {
    type: 'kv-v2', description: 'managed by terraform',
    config: { options: null, default_lease_ttl: '3600s', max_lease_ttl: '7200s', force_no_cache: false },
    local: false, seal_wrap: false, external_entropy_access: false, options: {},
  };
  tf.status(await tf.send({ method: 'POST', path: 'sys/mounts/tf-kv', body: input }), 204, 'POST sys/mounts/tf-kv');
  const read = await tf.send({ method: 'GET', path: 'sys/mounts/tf-kv' });
  tf.status(read, 200, 'GET sys/mounts/tf-kv');
  const m = tf.envelope(read, 'GET sys/mounts/tf-kv').data as Record<string, any>;
  checkMountOutput(tf, m, 'sys/mounts/tf-kv');
  // readMount keeps "kv-v2" in state only if Vault says type "kv" with options.version "2".
  tf.equal([m.type, m.options, m.config.default_lease_ttl, m.config.max_lease_ttl], ['kv', { version: '2' }, 3600, 7200], 'sys/mounts/tf-kv [type, options, default_lease_ttl, max_lease_ttl]');

  // updateMount: TuneMount with a MountConfigInput; the answer's body is not read.
  const tune = { options: {}, default_lease_ttl: '1800s', max_lease_ttl: '7200s', force_no_cache: false, description: 'changed' };
  const tuned = await tf.send({ method: 'POST', path: 'sys/mounts/tf-kv/tune', body: tune });
  tf.ok(tuned.status === 200 || tuned.status === 204, `POST sys/mounts/tf-kv/tune answered ${tuned.status}: ${tuned.text}`);
  const config = tf.json(await tf.send({ method: 'GET', path: 'sys/mounts/tf-kv/tune' }), 'GET sys/mounts/tf-kv/tune').data;
  tf.kind(config.default_lease_ttl, 'int', 'tune default_lease_ttl');
  tf.kind(config.max_lease_ttl, 'int', 'tune max_lease_ttl');
  tf.kind(config.force_no_cache, 'bool', 'tune force_no_cache');
  tf.equal([config.default_lease_ttl, config.description], [1800, 'changed'], 'the tuned [default_lease_ttl, description]');
  const after = tf.envelope(await tf.send({ method: 'GET', path: 'sys/mounts/tf-kv' }), 'GET sys/mounts/tf-kv after tune').data;
  tf.equal(after.options, { version: '2' }, 'options after a tune with "options": {} (must keep version "2")');

  const all = tf.envelope(await tf.send({ method: 'GET', path: 'sys/mounts' }), 'GET sys/mounts').data as Record<string, any>;
  for (const [path, entry] of Object.entries(all)) checkMountOutput(tf, entry, `sys/mounts["${path}"]`);
  tf.ok('tf-kv/' in all, 'sys/mounts does not list "tf-kv/"');

  tf.status(await tf.send({ method: 'DELETE', path: 'sys/mounts/tf-kv' }), 204, 'DELETE sys/mounts/tf-kv');
  const gone = await tf.send({ method: 'GET', path: 'sys/mounts/tf-kv' });
  tf.ok(gone.status >= 400, `GET of a destroyed mount answered ${gone.status}; the provider would keep it in state`);
  tf.json(gone, 'GET of a destroyed mount');
  tf.status(await tf.send({ method: 'DELETE', path: 'sys/mounts/tf-kv' }), 204, 'a second DELETE sys/mounts/tf-kv');
});

test('vault_policy: PUT, GET (policy a string), DELETE, then GET is a JSON 404', async () => {
  const rules = 'path "secret/data/tf/*" {\n  capabilities = ["read", "list"]\n}\n';
  // api.Sys().PutPolicy: PUT sys/policies/acl/<name> {"policy": rules}.
  tf.status(await tf.send({ method: 'PUT', path: 'sys/policies/acl/tf-reader', body: { policy: rules } }), 204, 'PUT sys/policies/acl/tf-reader');
  const read = await tf.send({ method: 'GET', path: 'sys/policies/acl/tf-reader' });
  tf.status(read, 200, 'GET sys/policies/acl/tf-reader');
  const data = tf.envelope(read, 'GET sys/policies/acl/tf-reader').data;
  tf.kind(data.policy, 'string', 'sys/policies/acl/tf-reader data.policy');
  tf.equal(data.policy, rules, 'the policy text read back (any change is perpetual drift)');
  tf.status(await tf.send({ method: 'DELETE', path: 'sys/policies/acl/tf-reader' }), 204, 'DELETE sys/policies/acl/tf-reader');
  // GetPolicy treats a 404 as "no policy" and the resource leaves state.
  tf.equal(tf.errors(await tf.send({ method: 'GET', path: 'sys/policies/acl/tf-reader' }), 404, 'GET of a deleted policy'), [], 'a deleted policy\'s errors');
});

test('vault_kv_secret_v2: writes carry a top-level cas and a string options map; updates work without cas', async () => {
  const path = 'secret/data/tf/app';
  // kvSecretV2Write: data["cas"] = d.Get("cas") (0 when unset), data["options"] = d.Get("options").
  const created = await tf.send({ method: 'PUT', path, body: { cas: 0, data: { user: 'app', pass: CANARY }, options: {} } });
  tf.status(created, 200, `PUT ${path} (create)`);
  tf.equal(tf.envelope(created, 'the create').data.version, 1, 'the created version');
  const updated = await tf.send({ method: 'PUT', path, body: { cas: 0, data: { user: 'app2', pass: CANARY }, options: {} } });
  tf.status(updated, 200, `PUT ${path} (an update with cas unset, sent as "cas": 0)`);
  tf.equal(updated.body.data.version, 2, 'the updated version');
  const withCas = await tf.send({ method: 'PUT', path, body: { cas: 0, data: { user: 'app3', pass: CANARY }, options: { cas: '2' } } });
  tf.status(withCas, 200, `PUT ${path} with options {"cas": "2"}`);
  tf.equal(withCas.body.data.version, 3, 'the version written with options.cas "2"');
  tf.errors(await tf.send({ method: 'PUT', path, body: { cas: 0, data: { user: 'x' }, options: { cas: '1' } } }), 400, 'a stale options.cas "1"');

  const read = await tf.send({ method: 'GET', path });
  tf.status(read, 200, `GET ${path}`);
  const d = tf.envelope(read, `GET ${path}`).data;
  tf.kind(d.data, 'map', `${path} data.data`);
  tf.kind(d.metadata, 'map', `${path} data.metadata`);
  tf.equal(d.data, { user: 'app3', pass: CANARY }, `${path} data.data`);
  tf.equal(d.metadata.version, 3, `${path} data.metadata.version`);

  // delete_all_versions: DELETE <mount>/metadata/<name>; the next refresh finds nothing.
  tf.status(await tf.send({ method: 'DELETE', path: 'secret/metadata/tf/app' }), 204, 'DELETE secret/metadata/tf/app');
  tf.equal(tf.errors(await tf.send({ method: 'GET', path }), 404, `GET ${path} after destroy`), [], 'the destroyed secret\'s errors');
});

test('vault_auth_backend: enabling token auth again or an unknown type is a 400 with errors', async () => {
  const enable = (type: string) => ({
    type, description: '', config: { default_lease_ttl: '0s', max_lease_ttl: '0s' },
    local: false, seal_wrap: false, external_entropy_access: false, options: null,
  });
  const again = await tf.send({ method: 'POST', path: 'sys/auth/tf-token', body: enable('token') });
  tf.equal(tf.errors(again, 400, 'POST sys/auth/tf-token {type: token}'), ['token credential backend cannot be instantiated'], 'enabling token auth twice');
  const unknown = await tf.send({ method: 'POST', path: 'sys/auth/tf-nosuch', body: enable('nosuch') });
  const errors = tf.errors(unknown, 400, 'POST sys/auth/tf-nosuch {type: nosuch}');
  tf.ok(errors.length === 1 && errors[0]!.includes('nosuch'), `the unknown-type error does not name the type: ${JSON.stringify(errors)}`);

  // authBackendRead: ListAuth, mapstructure into map[string]*api.AuthMount.
  const auths = tf.envelope(await tf.send({ method: 'GET', path: 'sys/auth' }), 'GET sys/auth').data as Record<string, any>;
  tf.equal(Object.keys(auths), ['token/'], 'the auth methods listed');
  checkMountOutput(tf, auths['token/'], 'sys/auth["token/"]');
  tf.equal(auths['token/'].type, 'token', 'sys/auth["token/"].type');
});

test('vault_auth_backend tune: the provider tunes and reads auth methods under sys/mounts/auth/<path>/tune', async () => {
  // No token_type: Vault refuses it on the token mount ("'token_type' cannot be set for 'token'
  // or 'ns_token' auth mounts"), so the provider only sends it for other methods.
  const tune = { options: null, default_lease_ttl: '3600s', max_lease_ttl: '86400s', force_no_cache: false, listing_visibility: 'unauth' };
  try {
    const tuned = await tf.send({ method: 'POST', path: 'sys/mounts/auth/token/tune', body: tune });
    tf.ok(tuned.status === 200 || tuned.status === 204, `POST sys/mounts/auth/token/tune answered ${tuned.status}: ${tuned.text}`);
    for (const path of ['sys/mounts/auth/token/tune', 'sys/auth/token/tune']) {
      const read = await tf.send({ method: 'GET', path });
      tf.status(read, 200, `GET ${path}`);
      const c = tf.json(read, `GET ${path}`).data;
      tf.kind(c.default_lease_ttl, 'int', `${path} default_lease_ttl`);
      tf.kind(c.max_lease_ttl, 'int', `${path} max_lease_ttl`);
      tf.kind(c.force_no_cache, 'bool', `${path} force_no_cache`);
      tf.equal([c.default_lease_ttl, c.max_lease_ttl, c.listing_visibility], [3600, 86400, 'unauth'], `${path} [default_lease_ttl, max_lease_ttl, listing_visibility]`);
    }
  } finally {
    await srv.api('POST', 'sys/auth/token/tune', { default_lease_ttl: 'system', max_lease_ttl: 'system', listing_visibility: '' });
  }
});

test('destroying an imported built-in mount is refused as Vault refuses it, and leaves the mount working', async () => {
  tf.equal(tf.errors(await tf.send({ method: 'DELETE', path: 'sys/auth/token' }), 400, 'DELETE sys/auth/token'),
    ['token credential backend cannot be disabled'], 'disabling token auth');
  for (const mount of ['sys', 'cubbyhole']) {
    tf.equal(tf.errors(await tf.send({ method: 'DELETE', path: `sys/mounts/${mount}` }), 400, `DELETE sys/mounts/${mount}`),
      [`cannot unmount "${mount}/"`], `unmounting ${mount}/`);
  }
  tf.status(await tf.send({ method: 'GET', path: 'auth/token/lookup-self' }), 200, 'lookup-self after the refused disables');
  tf.status(await tf.send({ method: 'GET', path: 'sys/mounts' }), 200, 'sys/mounts after the refused unmounts');
});
