// config/:name (connections), config/ (list), reset/:name and rotate-root/:name.
import { randomUUID } from 'node:crypto';
import { BadRequest } from '../../../util/errors.js';
import { formatDuration } from '../../../util/duration.js';
import { definePath, field, onlySent, type Handler } from '../../../core/path.js';
import { closeConnection, connectionOf, driverOf, driverUrl, openUncached, POSTGRES, settingsOf, storedConnection, talk } from '../connection.js';
import { dsnOptions } from '../../../util/sql/mysql.js';
import { tlsOptions } from '../../../util/sql/postgres.js';
import { rotateRoot } from '../root-rotation.js';
import { renderUsername } from '../username-template.js';
import { connections, type ConnectionConfig } from '../store.js';
import { passwordInUrl, redactUrl } from '../url-password.js';
import { refuseUnsupported, unsupportedConfigFields } from '../unsupported.js';
import { splitCertificateKey } from '../tls-bundle.js';
import { PASSWORD_AUTHENTICATIONS } from '../scram.js';
import { checkInlineCertificates, takeInlineCertificates } from '../ssl-inline.js';

const configFields = {
  name: field.name({ description: 'Name of the connection.' }),
  plugin_name: field.string({ description: 'postgresql-database-plugin, mysql-database-plugin, or a mysql-rds/aurora/legacy variant.' }),
  plugin_version: field.string({ description: 'Only the built-in version ("") exists.' }),
  verify_connection: field.bool({ description: 'Log in once before saving.', default: true }),
  allowed_roles: field.strings({ description: 'Roles that may use this connection; "*" for all.', default: [] }),
  root_rotation_statements: field.stringList({ description: 'SQL run by rotate-root; {{username}} and {{password}} are filled in.', default: [] }),
  password_policy: field.string({ description: 'Password policy for generated passwords.' }),
  connection_url: field.string({ description: 'URL (PostgreSQL) or DSN (MySQL) with {{username}} and {{password}} templates.' }),
  username: field.string({ description: 'User the server logs in as.' }),
  password: field.string({ description: 'Password of that user; never returned.', sensitive: true }),
  max_open_connections: field.int({ description: 'Pool size; 0 = 4, as in Vault.', default: 4 }),
  max_idle_connections: field.int({ description: 'Idle connections kept; 0 = as many as open.', default: 0 }),
  max_connection_lifetime: field.duration({ description: 'Longest a pooled connection lives; 0 = no limit.', default: 0 }),
  username_template: field.string({ description: 'Template of dynamic user names; the plugin\'s default when empty.' }),
  password_authentication: field.string({ description: 'PostgreSQL: how passwords go into statements: "password" (as they are) or "scram-sha-256" (hashed here into a SCRAM verifier; PostgreSQL 10+).', default: 'password' }),
  disable_escaping: field.bool({ description: 'Fill the URL templates without URL-escaping.' }),
  tls_ca: field.string({ description: 'PEM CA certificate the server\'s certificate must chain to.' }),
  tls_certificate: field.string({ description: 'PEM client certificate.' }),
  private_key: field.string({ description: 'PEM private key of the client certificate; never returned.', sensitive: true }),
  tls_certificate_key: field.string({ description: 'MySQL: the client certificate and its private key as one PEM bundle (sets tls_certificate and private_key).', sensitive: true }),
  ...unsupportedConfigFields,
};

type ConfigInput = Omit<ConnectionConfig, 'connection_id' | 'pending_password'>;

/** Vault's default pool size, used when max_open_connections is 0. */
const DEFAULT_OPEN_CONNECTIONS = 4;

function check(c: ConfigInput): void {
  if (c.plugin_name === '') throw new BadRequest('empty plugin name');
  driverOf(c);
  if (c.plugin_version !== '' && c.plugin_version !== 'builtin') throw new BadRequest(`plugin version "${c.plugin_version}" not found`);
  if (c.connection_url === '') throw new BadRequest('connection_url cannot be empty');
  driverUrl(c); // a keyword/value string that cannot be read is refused now
  // A MySQL DSN is read now too, so an unsupported parameter is a 400 even without verification.
  if (c.plugin_name !== POSTGRES) dsnOptions(settingsOf(c));
  else {
    const inline = takeInlineCertificates(driverUrl(c));
    if (inline && (c.tls_ca || c.tls_certificate || c.private_key)) {
      throw new BadRequest('sslinline=true in connection_url cannot be combined with tls_ca, tls_certificate or private_key');
    }
    if (inline) checkInlineCertificates(inline.tls);
    // sslmode and the certificate files are read now, so a bad one is a 400 even without verification.
    const settings = settingsOf(c);
    tlsOptions(settings.connectionUrl, settings.tls);
  }
  if ([c.username, c.password].some((v) => /\{\{\s*(username|password)\s*\}\}/.test(v))) {
    throw new BadRequest('error creating database object: username and/or password cannot contain the template variables');
  }
  if (c.max_open_connections === 0) c.max_open_connections = DEFAULT_OPEN_CONNECTIONS;
  // Vault reads a negative size as "unlimited"; a pool here always has a bound.
  if (c.max_open_connections < 0) throw new BadRequest('max_open_connections cannot be negative: unlimited pools are not supported');
  if (c.max_idle_connections < 0 || c.max_connection_lifetime < 0) throw new BadRequest('connection pool settings cannot be negative');
  if (c.max_idle_connections > c.max_open_connections) c.max_idle_connections = c.max_open_connections;
  checkPasswordAuthentication(c);
  // A template we cannot evaluate is refused now, not at the first creds request.
  if (c.username_template !== '') renderUsername(c.username_template, { DisplayName: 'token', RoleName: 'role', now: new Date() });
}

/**
 * password_authentication is the PostgreSQL plugin's: "password" puts passwords into the SQL as
 * they are, "scram-sha-256" puts their SCRAM verifier there. Vault's MySQL plugins have no
 * such setting; asking them to hash is refused rather than ignored.
 */
function checkPasswordAuthentication(c: ConfigInput): void {
  const value = c.password_authentication;
  if (!(PASSWORD_AUTHENTICATIONS as readonly string[]).includes(value)) {
    throw new BadRequest(`error creating database object: '${value}' is not a valid password authentication type`);
  }
  if (value !== 'password' && c.plugin_name !== POSTGRES) {
    throw new BadRequest(`password_authentication "${value}" is only available with ${POSTGRES}`);
  }
}

const PASSWORD_IN_URL = 'Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.';

const writeConfig: Handler<typeof configFields> = async ({ storage, fields, sent, passwords }) => {
  refuseUnsupported(fields, sent, Object.keys(unsupportedConfigFields));
  const { name, tls_certificate_key: bundle, ...all } = fields;
  const input = Object.fromEntries(Object.entries(all).filter(([k]) => !(k in unsupportedConfigFields))) as ConfigInput;
  const given = new Set(sent);
  if (bundle !== '') {
    // MySQL's one-bundle form of the client certificate: stored as its two parts.
    const { certificate, privateKey } = splitCertificateKey(bundle);
    Object.assign(input, { tls_certificate: certificate, private_key: privateKey });
    given.add('tls_certificate').add('private_key');
  }
  const before = await connections(storage).get(name);
  const { connection_id: _id, pending_password: _p, ...kept } = before ?? ({} as Partial<ConnectionConfig>);
  const config: ConfigInput = { ...input, ...kept, ...onlySent(input, given) };
  check(config);
  // A policy that does not exist (or cannot be met) is refused now, not at the first rotation.
  if (config.password_policy !== '') await passwords(config.password_policy);
  const stored: ConnectionConfig = { ...config, connection_id: randomUUID() };
  if (config.verify_connection) {
    const conn = openUncached(stored);
    await talk('error creating database object: error verifying connection', [config.password], () => conn.verify(), 400)
      .catch(async (err: unknown) => { await conn.close().catch(() => undefined); throw err; });
    await conn.close();
  }
  await connections(storage).put(name, stored);
  if (before) await closeConnection(before.connection_id);
  return passwordInUrl(config.connection_url) ? { warnings: [PASSWORD_IN_URL] } : undefined;
};

/** What a read shows: everything but the password and the private key. */
function configView(c: ConnectionConfig): Record<string, unknown> {
  const details: Record<string, unknown> = {
    connection_url: redactUrl(c.connection_url), username: c.username,
    max_open_connections: c.max_open_connections, max_idle_connections: c.max_idle_connections,
    max_connection_lifetime: formatDuration(c.max_connection_lifetime), disable_escaping: c.disable_escaping,
  };
  if (c.plugin_name === POSTGRES) details.password_authentication = c.password_authentication;
  if (c.username_template !== '') details.username_template = c.username_template;
  if (c.tls_ca !== '') details.tls_ca = c.tls_ca;
  if (c.tls_certificate !== '') details.tls_certificate = c.tls_certificate;
  return {
    plugin_name: c.plugin_name, plugin_version: c.plugin_version, connection_details: details,
    allowed_roles: c.allowed_roles, root_credentials_rotate_statements: c.root_rotation_statements,
    password_policy: c.password_policy, verify_connection: c.verify_connection,
    // Vault's read shows these at their zero values too; they can only be zero here (unsupported.ts).
    skip_static_role_import_rotation: false,
    rotation_period: 0, rotation_schedule: '', rotation_window: 0, disable_automated_rotation: false,
  };
}

/** config/:name */
export const configPath = definePath({
  pattern: 'config/:name',
  summary: 'Configure a connection to a database.',
  fields: configFields,
  exists: async ({ storage, fields }) => (await connections(storage).get(fields.name)) !== undefined,
  operations: {
    read: async ({ storage, fields }) => {
      const c = await connections(storage).get(fields.name);
      return c && { data: configView(c) };
    },
    create: writeConfig,
    update: writeConfig,
    delete: async ({ storage, fields }) => {
      const c = await connections(storage).get(fields.name);
      await connections(storage).delete(fields.name);
      if (c) await closeConnection(c.connection_id);
    },
  },
});

/** config/ */
export const configListPath = definePath({
  pattern: 'config/', fields: {}, summary: 'List connection names.',
  operations: { list: async ({ storage }) => ({ data: { keys: await connections(storage).list() } }) },
});

const nameOnly = { name: field.name({ description: 'Name of the connection.' }) };

/** reset/:name: drops the pool and logs in afresh with the stored settings. */
export const resetPath = definePath({
  pattern: 'reset/:name', fields: nameOnly, summary: 'Close and reopen a connection.',
  operations: {
    update: async ({ storage, fields }) => {
      const c = await storedConnection(storage, fields.name);
      await closeConnection(c.connection_id);
      await talk('error creating database object', [c.password], () => connectionOf(c).verify());
    },
  },
});

/**
 * reload/:plugin_name: reset every connection of one plugin, as Vault does after a plugin
 * upgrade. Here it reopens their pools; it answers the names it reset.
 */
export const reloadPath = definePath({
  pattern: 'reload/:plugin_name',
  fields: { plugin_name: field.name({ description: 'Plugin whose connections are reset.' }) },
  summary: 'Close and reopen every connection of a plugin.',
  operations: {
    update: async ({ storage, fields }) => {
      const names: string[] = [];
      for (const name of await connections(storage).list()) {
        const c = await connections(storage).get(name);
        if (c?.plugin_name !== fields.plugin_name) continue;
        await closeConnection(c.connection_id);
        names.push(name);
      }
      return { data: { connections: names, count: names.length } };
    },
  },
});

/** rotate-root/:name */
export const rotateRootPath = definePath({
  pattern: 'rotate-root/:name', fields: nameOnly, summary: 'Rotate the password the server logs in with.',
  operations: { update: async ({ storage, fields, passwords }) => rotateRoot(storage, fields.name, passwords) },
});

