// The server config file in Vault's shape, HCL and JSON, and the errors a wrong one gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LEASE_TTL, loadConfigFile, parseConfig } from '../../src/server/config.js';

const HCL = `
storage "sqlite" {
  path = "/var/lib/lockbox/lockbox.db"
}

listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}

api_addr          = "http://127.0.0.1:8200"
default_lease_ttl = "768h"
max_lease_ttl     = "8760h"
log_level         = "Debug"
ui                = true
cluster_name      = "prod"
`;

const EXPECTED = {
  storage: { type: 'sqlite', path: '/var/lib/lockbox/lockbox.db' },
  listener: { address: '0.0.0.0:8200', tlsDisable: true, tlsCertFile: undefined, tlsKeyFile: undefined, maxRequestSize: undefined,
    maxUnauthenticatedRequestSize: undefined, json: { maxDepth: undefined, maxStringValueLength: undefined, maxObjectEntryCount: undefined, maxArrayElementCount: undefined } },
  seal: [],
  apiAddr: 'http://127.0.0.1:8200',
  clusterAddr: undefined,
  disableClustering: false,
  defaultLeaseTtl: 768 * 3600,
  maxLeaseTtl: 8760 * 3600,
  logLevel: 'debug',
  logFormat: 'standard',
  logFile: undefined,
  ui: true,
  clusterName: 'prod',
  telemetry: { prometheusRetentionSeconds: 86400, disableHostname: false, unauthenticatedMetricsAccess: false },
  warnings: [],
};

test('an HCL file in Vault\'s shape', () => {
  assert.deepEqual(parseConfig(HCL), EXPECTED);
});

test('the same file as JSON, with blocks as objects or as Vault\'s arrays', () => {
  const json = {
    storage: { sqlite: { path: '/var/lib/lockbox/lockbox.db' } },
    listener: { tcp: { address: '0.0.0.0:8200', tls_disable: 1 } },
    api_addr: 'http://127.0.0.1:8200', default_lease_ttl: '768h', max_lease_ttl: '8760h',
    log_level: 'debug', ui: true, cluster_name: 'prod',
  };
  assert.deepEqual(parseConfig(JSON.stringify(json)), EXPECTED);
  const arrays = { ...json, listener: [{ tcp: { address: '0.0.0.0:8200', tls_disable: '1' } }], storage: { sqlite: [{ path: '/var/lib/lockbox/lockbox.db' }] } };
  assert.deepEqual(parseConfig(JSON.stringify(arrays, null, 2)), EXPECTED);
});

test('TLS files, the request size limit and TTLs in seconds', () => {
  const c = parseConfig(`
    storage "sqlite" { path = "x.db" }
    listener "tcp" {
      address = "127.0.0.1:8443"
      tls_cert_file = "/etc/lockbox/cert.pem"
      tls_key_file = "/etc/lockbox/key.pem"
      max_request_size = 1048576
    }
    default_lease_ttl = 3600
    max_lease_ttl = "2h"
  `);
  assert.deepEqual(c.listener, {
    address: '127.0.0.1:8443', tlsDisable: false, tlsCertFile: '/etc/lockbox/cert.pem', tlsKeyFile: '/etc/lockbox/key.pem', maxRequestSize: 1048576,
    maxUnauthenticatedRequestSize: undefined, json: { maxDepth: undefined, maxStringValueLength: undefined, maxObjectEntryCount: undefined, maxArrayElementCount: undefined },
  });
  assert.deepEqual([c.defaultLeaseTtl, c.maxLeaseTtl], [3600, 7200]);
});

test('listener body limits: max_unauthenticated_request_size and Vault\'s max_json_* settings', () => {
  const c = parseConfig(`
    storage "inmem" {}
    listener "tcp" {
      tls_disable = 1
      max_unauthenticated_request_size = 4096
      max_json_depth = 50
      max_json_string_value_length = "1000"
      max_json_object_entry_count = 100
      max_json_array_element_count = -1
    }
  `);
  assert.equal(c.listener.maxUnauthenticatedRequestSize, 4096);
  assert.deepEqual(c.listener.json, { maxDepth: 50, maxStringValueLength: 1000, maxObjectEntryCount: 100, maxArrayElementCount: Infinity });
});

test('defaults: a listener on 127.0.0.1:8200, 768h TTLs, info logging, no UI', () => {
  const c = parseConfig('storage "inmem" {}\nlistener "tcp" { tls_disable = 1 }');
  assert.deepEqual(c.storage, { type: 'memory' });
  assert.equal(c.listener.address, '127.0.0.1:8200');
  assert.deepEqual([c.defaultLeaseTtl, c.maxLeaseTtl, c.logLevel, c.ui], [DEFAULT_LEASE_TTL, DEFAULT_LEASE_TTL, 'info', false]);
});

test('Vault\'s zero and negative values: 0 TTLs and max_request_size mean the default, < 0 no limit', () => {
  const c = parseConfig(`storage "inmem" {}
    listener "tcp" {
      tls_disable = true
      max_request_size = 0
    }
    default_lease_ttl = 0
    max_lease_ttl = "0s"`);
  assert.deepEqual([c.listener.maxRequestSize, c.defaultLeaseTtl, c.maxLeaseTtl], [undefined, DEFAULT_LEASE_TTL, DEFAULT_LEASE_TTL]);
  const unlimited = parseConfig('storage "inmem" {}\nlistener "tcp" {\n tls_disable = true\n max_request_size = -1\n}');
  assert.equal(unlimited.listener.maxRequestSize, Infinity);
});

test('Vault\'s storage "file" names a directory: the SQLite file goes inside it', () => {
  assert.deepEqual(parseConfig('storage "file" { path = "/vault/data" }\nlistener "tcp" { tls_disable = 1 }').storage,
    { type: 'sqlite', path: '/vault/data/lockbox.db' });
});

test('a missing storage block, an unknown storage type and TLS without files are clear errors', () => {
  const refuse = (text: string, pattern: RegExp) => assert.throws(() => parseConfig(text, 'lockbox.hcl'), (err: Error) => {
    assert.match(err.message, /^lockbox\.hcl: /);
    assert.match(err.message, pattern);
    return true;
  });
  refuse('listener "tcp" { tls_disable = 1 }', /a storage block is required/);
  refuse('storage "consul" { address = "x" }', /unknown storage type "consul" \(supported: sqlite, file, inmem, postgresql, etcd\)/);
  refuse('storage "sqlite" {}', /storage "sqlite" needs a path/);
  refuse('storage "sqlite" { path = "x" }\nlistener "tcp" { address = "0.0.0.0:8200" }', /needs tls_cert_file and tls_key_file, or tls_disable = true/);
  refuse('storage "sqlite" { path = "x" }\nlistener "tcp" { tls_cert_file = "c.pem" }', /needs tls_cert_file and tls_key_file/);
  refuse('storage "sqlite" { path = "x" }\nlistener "unix" { address = "/run/l.sock" }', /unknown listener type "unix"/);
});

test('what we would otherwise silently ignore is refused', () => {
  const base = 'storage "sqlite" { path = "x" }\n';
  assert.throws(() => parseConfig(`${base}listener "tcp" { tls_disable = 1 }\nlistener "tcp" {\n address = "127.0.0.1:8201"\n tls_disable = 1\n}`),
    /only one listener block is supported, found 2/);
  assert.throws(() => parseConfig(`${base}storage "inmem" {}`), /only one storage block/);
  assert.throws(() => parseConfig(`${base}seal "awskms" { region = "eu-west-1" }`), /unknown seal type "awskms" \(supported: shamir, transit, pkcs11\)/);
  assert.throws(() => parseConfig(`${base}default_lease_ttl = "48h"\nmax_lease_ttl = "24h"`), /default_lease_ttl may not be greater than max_lease_ttl/);
  assert.throws(() => parseConfig(`${base}default_lease_ttl = "soon"`), /default_lease_ttl is not a duration/);
  assert.throws(() => parseConfig(`${base}log_level = "chatty"`), /unknown log_level "chatty"/);
  assert.throws(() => parseConfig('storage {}'), /storage needs a type label/);
});

test('a syntax error names the file, HCL or JSON', () => {
  assert.throws(() => parseConfig('storage "sqlite" {\n path = \n}', 'a.hcl'), /^BadRequest: a\.hcl: invalid HCL: At 3:1: Unknown token: RBRACE$/);
  assert.throws(() => parseConfig('{ "storage": ', 'a.json'), /^BadRequest: a\.json: invalid JSON: At 1:14: unexpected end of input$/);
  assert.throws(() => parseConfig('[1]', 'a.json'), /^BadRequest: a\.json: invalid HCL: At 1:1: expected: IDENT \| STRING \| ASSIGN \| LBRACE got: LBRACK$/);
});

// Vault reads config files with HCL1: these are the forms a Vault config may use.
test('HCL1 forms in a config file mean what they mean to Vault', () => {
  const hcl1 = (logLevel: string) => `
# Vault's config, as its operators write it
storage "sqlite"
{
  path = "/var/lib/lockbox/lockbox.db"   // next-line brace
}
listener tcp { address = "0.0.0.0:8200" tls_disable = "true" }
/* several settings on one line, numbers and bools unquoted */
api_addr = "http://127.0.0.1:8200" default_lease_ttl = 2764800 max_lease_ttl = "8760h"
log_level = ${logLevel}
ui = true
cluster_name = "prod",
`;
  assert.deepEqual(parseConfig(hcl1('"Debug"')), EXPECTED);
  // A heredoc keeps its final newline, as in Vault, so it is not a log level.
  assert.throws(() => parseConfig(hcl1('<<EOT\nDebug\nEOT')), /unknown log_level "Debug\n"/);
});

test('unknown keys and Vault settings that change nothing here are warned about by name', () => {
  const c = parseConfig(`storage "sqlite" {
  path = "x.db"
  synchronous = "full"
}
listener "tcp" {
  tls_disable = 1
  tls_min_version = "tls12"
}
telemetry {
  prometheus_retention_time = "30s"
  dogstatsd_addr = "localhost:8125"
}
disable_mlock = true
colour = "blue"
`);
  assert.deepEqual(c.warnings, [
    'unknown configuration key "colour" is ignored',
    'configuration key "disable_mlock" is not supported by Lockbox and is ignored',
    'telemetry: key "dogstatsd_addr" is not supported and is ignored',
    'storage "sqlite": key "synchronous" is not supported and is ignored',
    'listener "tcp": key "tls_min_version" is not supported and is ignored',
  ]);
  assert.equal(parseConfig('storage "inmem" {}\nlog_format = "json"').logFormat, 'json');
  assert.throws(() => parseConfig('storage "inmem" {}\nlog_format = "xml"'), /unknown log_format "xml"/);
});

test('a -config directory: its .hcl and .json files merged in name order, as Vault merges them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-config-'));
  try {
    writeFileSync(join(dir, '10-storage.hcl'), 'storage "sqlite" { path = "first.db" }\nlog_level = "debug"\n');
    writeFileSync(join(dir, '20-listener.json'), JSON.stringify({ listener: { tcp: { address: '127.0.0.1:9200', tls_disable: true } } }));
    writeFileSync(join(dir, '30-override.hcl'), 'storage "sqlite" { path = "second.db" }\nui = true\n');
    writeFileSync(join(dir, 'README.md'), 'not a config file');
    const c = loadConfigFile(dir);
    assert.deepEqual(c.storage, { type: 'sqlite', path: 'second.db' });
    assert.equal(c.listener.address, '127.0.0.1:9200');
    assert.deepEqual([c.logLevel, c.ui], ['debug', true]);
    // Listeners add up, and we serve one: a second is refused, naming the files.
    writeFileSync(join(dir, '40-listener.hcl'), 'listener "tcp" {\n address = "127.0.0.1:9300"\n tls_disable = 1\n}\n');
    assert.throws(() => loadConfigFile(dir), /^BadRequest: Error loading configuration from .*: .*only one listener block is supported, found 2/);
    // Several -config paths merge the same way.
    assert.equal(loadConfigFile(join(dir, '10-storage.hcl'), join(dir, '20-listener.json')).storage.type, 'sqlite');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadConfigFile: a missing or unreadable path says "Error loading configuration from <path>"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbox-config-'));
  try {
    const good = join(dir, 'good.hcl');
    writeFileSync(good, HCL);
    assert.deepEqual(loadConfigFile(good), EXPECTED);
    const missing = join(dir, 'missing.hcl');
    assert.throws(() => loadConfigFile(missing), new RegExp(`^BadRequest: Error loading configuration from ${missing}: open ${missing}: no such file or directory$`));
    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, 'listener "tcp" { tls_disable = 1 }');
    assert.throws(() => loadConfigFile(bad), (err: Error) => err.message.startsWith(`Error loading configuration from ${bad}: ${bad}: a storage block is required`));
    const empty = mkdtempSync(join(dir, 'empty-'));
    assert.throws(() => loadConfigFile(empty), /no \.hcl or \.json files found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
