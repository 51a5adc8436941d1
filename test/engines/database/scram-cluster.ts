// A throwaway PostgreSQL cluster with scram-sha-256 password auth, for the tests that must show
// an old password stops working (the shared server trusts every local login).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../server/process.js';
import type { TestServerOptions } from '../../helpers/server.js';
import { expectStatus, pgAdmin, startDatabaseServer } from './helpers.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';


/** A running cluster: its port, the superuser's password, and stop/start for outage tests. */
export type ScramCluster = {
  port: number; password: string; url: string; stop(): Promise<void>; start(): Promise<void>; destroy(): Promise<void>;
  /** The server's log so far (every statement, when started with logStatements). */
  log(): string;
};

/** Creates and starts a cluster in a temporary folder, as the postgres user. */
/** PEM files of a throwaway CA, the server's certificate (for 127.0.0.1) and a client's. */
export type ClusterTls = { ca: string; otherCa: string; clientCert: string; clientKey: string; clientUser: string };

/** Makes the certificates with openssl in `dir`: CA, server (IP SAN 127.0.0.1), client `user`. */
function makeCertificates(dir: string, user: string, uid: number, gid: number): ClusterTls {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ca = (name: string) => ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  const signed = (name: string, cn: string, ext?: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    if (ext) writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(ext ? ['-extfile', `${name}.ext`] : []));
  };
  ca('ca');
  ca('other');
  signed('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  signed('client', user);
  for (const f of ['server.crt', 'server.key', 'ca.crt']) chownSync(join(dir, f), uid, gid);
  chmodSync(join(dir, 'server.key'), 0o600);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), otherCa: read('other.crt'), clientCert: read('client.crt'), clientKey: read('client.key'), clientUser: user };
}

export async function startScramCluster(opts: { logStatements?: boolean; tls?: boolean } = {}): Promise<ScramCluster & { tls?: ClusterTls }> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o700);
  const password = `root-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'pw'), password);
  chownSync(join(dir, 'pw'), uid, gid);
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args]);
  await asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'scram-sha-256', '-U', 'postgres', `--pwfile=${join(dir, 'pw')}`, '--no-sync']);
  const port = await freePort();
  const tls = opts.tls ? makeCertificates(dir, 'certuser', uid, gid) : undefined;
  let sslOptions = '';
  if (tls) {
    // TLS on; certuser logs in by client certificate alone, everyone else as before.
    const hba = join(dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, `hostssl all certuser 127.0.0.1/32 cert\n${readFileSync(hba, 'utf8')}`);
    sslOptions = ` -c ssl=on -c ssl_cert_file=${join(dir, 'server.crt')} -c ssl_key_file=${join(dir, 'server.key')} -c ssl_ca_file=${join(dir, 'ca.crt')}`;
  }
  const start = async () => {
    await asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${opts.logStatements ? ' -c log_statement=all' : ''}${sslOptions}`, 'start']);
  };
  const stop = async () => { await asPostgres('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']); };
  await start();
  return {
    port, password, start, stop, tls,
    log: () => { try { return readFileSync(join(dir, 'log'), 'utf8'); } catch { return ''; } },
    url: `postgresql://{{username}}:{{password}}@127.0.0.1:${port}/postgres?sslmode=disable`,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a cluster with a superuser `root`, and a test server whose connection "pg" logs in as
 * it (with `config` added) and whose role "app" makes login users valid until their lease ends.
 */
export async function startClusterEngine(root: string, rootPassword: string, opts: { logStatements?: boolean; server?: TestServerOptions; config?: Record<string, unknown> } = {}) {
  const db = await startScramCluster({ logStatements: opts.logStatements });
  await pgAdmin(`CREATE ROLE ${root} SUPERUSER LOGIN PASSWORD '${rootPassword}'`, [], db.port, db.password);
  const srv = await startDatabaseServer(opts.server);
  expectStatus(await srv.api('POST', 'database/config/pg', {
    plugin_name: 'postgresql-database-plugin', connection_url: db.url, username: root, password: rootPassword, allowed_roles: '*', ...opts.config,
  }), 204);
  expectStatus(await srv.api('POST', 'database/roles/app', {
    db_name: 'pg', default_ttl: '1h', creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`,
  }), 204);
  return { db, srv };
}
