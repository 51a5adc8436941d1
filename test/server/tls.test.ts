// A TLS listener from tls_cert_file/tls_key_file, with a self-signed certificate made by openssl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/start.js';
import { rawConnect, rawRequest } from '../http/raw.js';
import { freePort, spawnServer, writeConfig } from './process.js';

let dir = '';
let certFile = '';
let keyFile = '';
let ca: Buffer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockbox-tls-'));
  certFile = join(dir, 'cert.pem');
  keyFile = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  ca = readFileSync(certFile);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A GET over https that trusts only `trust`. */
function get(url: string, trust: Buffer | undefined): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: trust, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => { text += s; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    }).on('error', reject);
  });
}

test('`lockbox server` with tls_cert_file and tls_key_file answers sys/health over https', async () => {
  const config = join(dir, 'tls.hcl');
  writeConfig(config, {
    db: join(dir, 'data.db'), port: await freePort(),
    listener: `tls_cert_file = ${JSON.stringify(certFile)}\n  tls_key_file = ${JSON.stringify(keyFile)}`,
  });
  const server = await spawnServer(config);
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${server.url}/v1/sys/health`, ca);
    assert.deepEqual([health.status, health.body.initialized], [501, false]);
    await assert.rejects(get(`${server.url}/v1/sys/health`, undefined), /self.signed|unable to verify/i);
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }
});

test('over TLS, a raw LIST (split across writes) is rewritten on the decrypted bytes', async () => {
  const server = await startServer({
    dev: true, storage: { type: 'memory' }, logSink: () => {},
    listener: { address: '127.0.0.1:0', tlsCertFile: certFile, tlsKeyFile: keyFile },
  });
  try {
    const token = server.rootToken;
    const put = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${server.url}/v1/cubbyhole/t/x`, { method: 'PUT', ca, agent: false, headers: { 'X-Vault-Token': token } },
        (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end('{"v":"1"}');
    });
    assert.equal(put, 204);
    const conn = await rawConnect(server.url, ca);
    try {
      const list = rawRequest('LIST', '/v1/cubbyhole/t', { token });
      await conn.write(list.slice(0, 2));
      await new Promise((r) => setTimeout(r, 30));
      await conn.write(list.slice(2));
      const r = await conn.response();
      assert.deepEqual([r.status, JSON.parse(r.body).data], [200, { keys: ['x'] }]);
      await conn.write(rawRequest('GET', '/v1/cubbyhole/t/x', { token }));
      assert.deepEqual(JSON.parse((await conn.response()).body).data, { v: '1' });
    } finally {
      conn.close();
    }
  } finally {
    await server.close();
  }
});

test('a listener whose certificate cannot be read fails to start, naming the file', async () => {
  await assert.rejects(startServer({
    storage: { type: 'memory' }, logSink: () => {},
    listener: { address: '127.0.0.1:0', tlsCertFile: join(dir, 'missing.pem'), tlsKeyFile: keyFile },
  }), /^Error: listener: cannot read tls_cert_file ".*missing\.pem": ENOENT$/);
});
