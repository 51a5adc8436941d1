// Terraform's vault_database_secret_backend_connection and vault_database_secret_backend_role,
// and External Secrets Operator's VaultDynamicSecret generator, replayed against the shared
// PostgreSQL. Terraform writes TTLs and pool settings as integers, reads connection_details
// with type assertions (json.Number for counts, a Go duration string for the lifetime) and
// expects lists where it wrote lists; ESO reads database/creds with GET and takes `data`.
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { goClientHeaders, replay, type Replay } from './replay.js';

const CANARY = 'canary-tfdb-91aa'; // the connection's password; must never reach the log
const PREFIX = `tf${randomBytes(3).toString('hex')}`;
const URL = 'postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?sslmode=disable';
let srv: TestServer;
let tf: Replay;
let eso: Replay;

before(async () => {
  srv = await startTestServer();
  tf = replay(srv.url, 'Terraform', goClientHeaders(srv.rootToken));
  eso = replay(srv.url, 'External Secrets Operator', goClientHeaders(srv.rootToken));
  tf.status(await tf.send({ method: 'POST', path: 'sys/mounts/tf-db', body: { type: 'database', config: {}, options: {} } }), 204, 'POST sys/mounts/tf-db');
});
after(async () => {
  await srv.api('PUT', 'sys/leases/revoke-prefix/tf-db');
  tf.close();
  eso.close();
  if (srv.log().includes(CANARY)) throw new Error('a connection password reached the server log');
  await srv.close();
});

/** What the provider's postgresql block marshals to (resource_database_secret_backend_connection). */
const connectionBody = {
  plugin_name: 'postgresql-database-plugin', verify_connection: true, allowed_roles: ['tf-dev'],
  root_rotation_statements: [], connection_url: URL, max_open_connections: 2, max_idle_connections: 0,
  max_connection_lifetime: 0, username: 'postgres', password: CANARY, disable_escaping: false,
  username_template: `${PREFIX}-{{.RoleName}}-{{random 8 | lowercase}}`, password_authentication: 'password',
};

test('vault_database_secret_backend_connection: create, read into state, update, destroy', async () => {
  const create = await tf.send({ method: 'PUT', path: 'tf-db/config/pg', body: connectionBody });
  tf.ok(create.status === 200 || create.status === 204, `PUT tf-db/config/pg answered ${create.status}: ${create.text}`);
  const read = await tf.send({ method: 'GET', path: 'tf-db/config/pg' });
  tf.status(read, 200, 'GET tf-db/config/pg');
  const data = tf.envelope(read, 'GET tf-db/config/pg').data as Record<string, any>;
  tf.kind(data.plugin_name, 'string', 'plugin_name');
  tf.kind(data.verify_connection, 'bool', 'verify_connection');
  tf.strings(data.allowed_roles, 'allowed_roles');
  tf.strings(data.root_credentials_rotate_statements, 'root_credentials_rotate_statements');
  tf.kind(data.connection_details, 'map', 'connection_details');
  const d = data.connection_details as Record<string, unknown>;
  tf.kind(d.connection_url, 'string', 'connection_details.connection_url');
  tf.kind(d.max_open_connections, 'int', 'connection_details.max_open_connections');
  tf.kind(d.max_idle_connections, 'int', 'connection_details.max_idle_connections');
  tf.kind(d.max_connection_lifetime, 'string', 'connection_details.max_connection_lifetime (time.ParseDuration)');
  tf.kind(d.password, 'absent', 'connection_details.password');
  tf.equal([d.connection_url, d.max_open_connections, d.username, data.allowed_roles], [URL, 2, 'postgres', ['tf-dev']], 'the state Terraform keeps');

  const update = await tf.send({ method: 'PUT', path: 'tf-db/config/pg', body: { ...connectionBody, allowed_roles: ['tf-dev', 'tf-ops'], max_connection_lifetime: 300 } });
  tf.ok(update.status === 200 || update.status === 204, `update answered ${update.status}: ${update.text}`);
  const again = tf.envelope(await tf.send({ method: 'GET', path: 'tf-db/config/pg' }), 'read after update').data;
  tf.equal([again.allowed_roles, again.connection_details.max_connection_lifetime], [['tf-dev', 'tf-ops'], '5m0s'], 'after update');

  tf.status(await tf.send({ method: 'PUT', path: 'tf-db/config/gone', body: connectionBody }), 204, 'PUT tf-db/config/gone');
  tf.status(await tf.send({ method: 'DELETE', path: 'tf-db/config/gone' }), 204, 'DELETE tf-db/config/gone');
  tf.status(await tf.send({ method: 'GET', path: 'tf-db/config/gone' }), 404, 'GET after destroy (Terraform drops it from state)');
});

test('vault_database_secret_backend_role: create, read into state, destroy; ESO\'s generator reads creds', async () => {
  const role = {
    db_name: 'pg', creation_statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`],
    revocation_statements: [], rollback_statements: [], renew_statements: [], default_ttl: 300, max_ttl: 600,
  };
  tf.status(await tf.send({ method: 'PUT', path: 'tf-db/roles/tf-dev', body: role }), 204, 'PUT tf-db/roles/tf-dev');
  const read = await tf.send({ method: 'GET', path: 'tf-db/roles/tf-dev' });
  tf.status(read, 200, 'GET tf-db/roles/tf-dev');
  const data = tf.envelope(read, 'GET tf-db/roles/tf-dev').data as Record<string, any>;
  for (const k of ['creation_statements', 'revocation_statements', 'rollback_statements', 'renew_statements']) tf.strings(data[k], k);
  tf.kind(data.default_ttl, 'int', 'default_ttl');
  tf.kind(data.max_ttl, 'int', 'max_ttl');
  tf.equal([data.db_name, data.default_ttl, data.max_ttl], ['pg', 300, 600], 'role state');

  // ESO: VaultDynamicSecret with method GET and path tf-db/creds/tf-dev; data becomes the secret.
  const creds = await eso.send({ method: 'GET', path: 'tf-db/creds/tf-dev' });
  eso.status(creds, 200, 'GET tf-db/creds/tf-dev');
  const env = eso.envelope(creds, 'tf-db/creds/tf-dev');
  eso.kind(env.data.username, 'string', 'data.username');
  eso.kind(env.data.password, 'string', 'data.password');
  eso.ok(env.lease_id.startsWith('tf-db/creds/tf-dev/') && env.lease_duration === 300 && env.renewable === true, `lease: ${creds.text.slice(0, 200)}`);

  tf.status(await tf.send({ method: 'DELETE', path: 'tf-db/roles/tf-dev' }), 204, 'DELETE tf-db/roles/tf-dev');
  tf.status(await tf.send({ method: 'GET', path: 'tf-db/roles/tf-dev' }), 404, 'GET after destroy');
});
