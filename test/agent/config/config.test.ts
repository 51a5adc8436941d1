import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, parseDocument, validateConfig, type AgentConfig } from '../../../src/agent/config/index.js';

const parse = (text: string, file = 'agent.hcl', env: NodeJS.ProcessEnv = {}): AgentConfig => parseConfig(parseDocument(text, file), env);
const parseValid = (text: string, file = 'agent.hcl'): AgentConfig => {
  const c = parse(text, file);
  validateConfig(c);
  return c;
};
const refuses = (text: string, message: RegExp | string, file = 'agent.hcl') => {
  assert.throws(() => parseValid(text, file), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
};

// Vault Agent's documented example (auto-auth with approle, a sink, a template, the API proxy).
const DOC_EXAMPLE = `
pid_file = "./pidfile"

vault {
  address = "https://vault-fqdn:8200"
  retry {
    num_retries = 5
  }
}

auto_auth {
  method "approle" {
    mount_path = "auth/approle-sub"
    config = {
      role_id_file_path = "/etc/vault/roleid"
      secret_id_file_path = "/etc/vault/secretid"
    }
  }

  sink "file" {
    config = {
      path = "/tmp/file-foo"
    }
  }

  sink "file" {
    wrap_ttl = "5m"
    aad_env_var = "TEST_AAD_ENV"
    dh_type = "curve25519"
    dh_path = "/tmp/file-foo-dhpath2"
    config = {
      path = "/tmp/file-bar"
      mode = 0640
    }
  }
}

cache {
  // An empty cache stanza still enables caching
}

api_proxy {
  use_auto_auth_token = true
}

listener "unix" {
  address = "/path/to/socket"
  tls_disable = true

  agent_api {
    enable_quit = true
  }
}

listener "tcp" {
  address = "127.0.0.1:8100"
  tls_disable = true
}

template {
  source = "/etc/vault/server.key.ctmpl"
  destination = "/etc/vault/server.key"
}

template {
  source = "/etc/vault/server.crt.ctmpl"
  destination = "/etc/vault/server.crt"
}
`;

test('the documented example parses unchanged', () => {
  const c = parse(DOC_EXAMPLE, 'agent.hcl', { TEST_AAD_ENV: 'aad-value' });
  validateConfig(c);
  assert.equal(c.pidFile, './pidfile');
  assert.equal(c.vault?.address, 'https://vault-fqdn:8200');
  assert.equal(c.vault?.numRetries, 5);
  assert.equal(c.autoAuth?.method.type, 'approle');
  assert.equal(c.autoAuth?.method.mountPath, 'auth/approle-sub');
  assert.deepEqual(c.autoAuth?.method.config, {
    type: 'approle', roleIdFilePath: '/etc/vault/roleid', secretIdFilePath: '/etc/vault/secretid',
    removeSecretIdFileAfterReading: true, secretIdResponseWrappingPath: undefined,
  });
  assert.equal(c.autoAuth?.sinks.length, 2);
  assert.equal(c.autoAuth?.sinks[0]?.mode, 0o640);
  assert.equal(c.autoAuth?.sinks[1]?.wrapTtlMs, 300_000);
  assert.equal(c.autoAuth?.sinks[1]?.aad, 'aad-value');
  assert.equal(c.autoAuth?.sinks[1]?.dhType, 'curve25519');
  assert.equal(c.apiProxy?.useAutoAuthToken, true);
  assert.deepEqual(c.listeners.map((l) => [l.type, l.address, l.enableQuit]), [['unix', '/path/to/socket', true], ['tcp', '127.0.0.1:8100', false]]);
  assert.deepEqual(c.templates.map((t) => t.destination), ['/etc/vault/server.key', '/etc/vault/server.crt']);
  assert.equal(c.templates[0]?.createDestDirs, true);
});

// What the Kubernetes injector writes (JSON).
const INJECTOR_JSON = JSON.stringify({
  auto_auth: {
    method: { type: 'kubernetes', mount_path: 'auth/kubernetes', config: { role: 'app', token_path: '/var/run/secrets/token' } },
    sink: [{ type: 'file', config: { path: '/home/vault/.vault-token' } }],
  },
  exit_after_auth: false,
  pid_file: '/home/vault/.pid',
  vault: { address: 'https://vault.vault.svc:8200' },
  template: [{ destination: '/vault/secrets/db', contents: '{{ with secret "db/creds/app" }}{{ .Data.username }}{{ end }}', left_delimiter: '{{', right_delimiter: '}}' }],
  template_config: { exit_on_retry_failure: true },
}, null, 2);

test('the Kubernetes injector JSON parses', () => {
  const c = parseValid(INJECTOR_JSON, 'config.json');
  assert.equal(c.autoAuth?.method.type, 'kubernetes');
  assert.deepEqual(c.autoAuth?.method.config, { type: 'kubernetes', role: 'app', tokenPath: '/var/run/secrets/token' });
  assert.equal(c.autoAuth?.sinks[0]?.path, '/home/vault/.vault-token');
  assert.equal(c.templateConfig?.exitOnRetryFailure, true);
  assert.equal(c.templateConfig?.staticSecretRenderIntervalMs, 300_000);
  assert.equal(c.vault?.numRetries, 12);
});

test('JSON labels: "method": {"approle": {…}} equals method "approle" {…}', () => {
  const c = parseValid(JSON.stringify({
    auto_auth: { method: { approle: { config: { role_id_file_path: '/r' } } }, sink: { file: { config: { path: '/s', mode: 416 } } } },
  }), 'c.json');
  assert.equal(c.autoAuth?.method.type, 'approle');
  assert.equal(c.autoAuth?.sinks[0]?.mode, 0o640);
});

test('method and config forms: labelled or type =, block or = {}', () => {
  const a = parseValid('auto_auth {\n method { type = "token_file"\n config { token_file_path = "/t" } }\n sink "file" { config { path = "/s" } } }');
  assert.deepEqual(a.autoAuth?.method.config, { type: 'token_file', tokenFilePath: '/t' });
  assert.equal(a.autoAuth?.method.mountPath, 'auth/token_file');
  const b = parseValid('auto_auth {\n method "JWT" { mount_path = "auth/oidc/"\n config = { path = "/jwt", role = "r" } }\n sink { type = "file"\n config = { path = "/s" } } }');
  assert.equal(b.autoAuth?.method.type, 'jwt');
  assert.equal(b.autoAuth?.method.mountPath, 'auth/oidc');
  assert.deepEqual(b.autoAuth?.method.config, { type: 'jwt', path: '/jwt', role: 'r', removeJwtAfterReading: true, jwtReadPeriodMs: 500 });
  const k = parseValid('auto_auth {\n method "kubernetes" { config { role = "x" } }\n sink "file" { config { path = "/s" } } }');
  assert.deepEqual(k.autoAuth?.method.config, { type: 'kubernetes', role: 'x', tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
});

test('backoff, exit_on_err and wrap_ttl are read; defaults are 1s and 5m', () => {
  const c = parseValid('auto_auth {\n method "approle" { min_backoff = "2s"\n max_backoff = 90\n exit_on_err = true\n config { role_id_file_path = "/r" } }\n sink "file" { config { path = "/s" } } }');
  assert.equal(c.autoAuth?.method.minBackoffMs, 2000);
  assert.equal(c.autoAuth?.method.maxBackoffMs, 90_000);
  assert.equal(c.autoAuth?.method.exitOnErr, true);
  const d = parseValid('auto_auth {\n method "approle" { config { role_id_file_path = "/r" } }\n sink "file" { config { path = "/s" } } }');
  assert.equal(d.autoAuth?.method.minBackoffMs, 1000);
  assert.equal(d.autoAuth?.method.maxBackoffMs, 300_000);
  assert.equal(d.autoAuth?.sinks[0]?.mode, 0o640);
});

test('octal: mode = 0640, perms = 0655 and perms = "0600"', () => {
  const c = parseValid(`auto_auth {
  method "approle" { config { role_id_file_path = "/r" } }
  sink "file" { config { path = "/s"
 mode = 0600 } }
}
template { contents = "x"
 destination = "/a"
 perms = 0655 }
template { contents = "y"
 destination = "/b"
 perms = "0600" }
template { contents = "z"
 destination = "/c" }`);
  assert.equal(c.autoAuth?.sinks[0]?.mode, 0o600);
  assert.deepEqual(c.templates.map((t) => t.perms), [0o655, 0o600, undefined]);
  refuses('template {\n contents = "x"\n destination = "/a"\n perms = "rw" }', /agent\.hcl:4:2: .*'perms' must be a file mode/);
  refuses('auto_auth {\n method "approle" { config { role_id_file_path = "/r" } }\n sink "file" { config { path = "/s"\n mode = "0640" } } }', /could not parse 'mode' as integer/);
});

test('template options: exec, deprecated command, wait, delimiters, denylist', () => {
  const c = parseValid(`auto_auth {
  method "approle" { config { role_id_file_path = "/r" } }
}
template {
  source = "/t.ctmpl"
  destination = "/out"
  backup = true
  create_dest_dirs = false
  error_on_missing_key = true
  left_delimiter = "[["
  right_delimiter = "]]"
  function_denylist = ["env", "file"]
  sandbox_path = "/sb"
  exec { command = ["systemctl", "reload", "nginx"]
    timeout = "10s" }
  wait { min = "2s"
  max = "10s" }
}
template {
  contents = "a"
  destination = "/out2"
  command = "echo hi"
  command_timeout = "5s"
  wait = "1s"
}`);
  const [a, b] = c.templates;
  assert.deepEqual(a?.commands, [{ argv: ['systemctl', 'reload', 'nginx'] }]);
  assert.equal(a?.commandTimeoutMs, 10_000);
  assert.deepEqual([a?.waitMinMs, a?.waitMaxMs], [2000, 10_000]);
  assert.deepEqual([a?.leftDelimiter, a?.rightDelimiter, a?.backup, a?.createDestDirs, a?.errorOnMissingKey], ['[[', ']]', true, false, true]);
  assert.deepEqual(a?.functionDenylist, ['env', 'file']);
  assert.deepEqual(b?.commands, [{ shell: 'echo hi' }]);
  assert.equal(b?.commandTimeoutMs, 5000);
  assert.deepEqual([b?.waitMinMs, b?.waitMaxMs], [1000, 4000]);
});

test('an unknown key or block names the file, line and column', () => {
  refuses('pid_file = "x"\nauto_atuh {\n}', /agent\.hcl:2:1: unknown or unsupported field "auto_atuh"/);
  refuses('auto_auth {\n method "approle" {\n config { role_id_file_path = "/r"\n  secret_id_path = "/s" } }\n sink "file" { config { path = "/s" } } }',
    /agent\.hcl:4:3: unknown or unsupported field "secret_id_path" in "auto_auth.method.config"/);
  refuses('template {\n contents = "x"\n destination = "/a"\n mdoe = 1 }', /agent\.hcl:4:2: unknown or unsupported field "mdoe" in "template"/);
  refuses('{\n  "auto_auth": {"method": {"type": "approle", "config": {"role_id_file_path": "/r"}},\n  "sinks": []}\n}', /c\.json:3:3: unknown or unsupported field "sinks" in "auto_auth"/, 'c.json');
});

test('auth method config errors are Vault\'s', () => {
  refuses('auto_auth {\n method "approle" { config { } }\n sink "file" { config { path = "/s" } } }', /error creating approle auth method: missing 'role_id_file_path' value/);
  refuses('auto_auth {\n method "approle" { config { role_id_file_path = "" } }\n sink "file" { config { path = "/s" } } }', /'role_id_file_path' value is empty/);
  refuses('auto_auth {\n method "jwt" { config { path = "/j" } }\n sink "file" { config { path = "/s" } } }', /missing 'role' value/);
  refuses('auto_auth {\n method "token_file" { config { token_file_path = 3 } }\n sink "file" { config { path = "/s" } } }', /could not convert 'token_file_path' config value to string/);
  refuses('auto_auth {\n method "aws" { config { role = "x" } }\n sink "file" { config { path = "/s" } } }', /auth method "aws" is not supported by lockbox agent/);
  refuses('auto_auth {\n method { config { role = "x" } }\n sink "file" { config { path = "/s" } } }', /method type must be specified/);
  refuses('auto_auth {\n method "approle" { config { role_id_file_path = "/r" } }\n sink "file" { config { } } }', /'path' not specified for file sink/);
});

test('validation: one auto_auth, exactly one method, and something to use it', () => {
  const m = 'method "approle" { config { role_id_file_path = "/r" } }';
  refuses(`auto_auth {\n${m}\n sink "file" { config { path = "/s" } } }\nauto_auth {\n${m} }`, `error parsing 'auto_auth': at most one "auto_auth" block is allowed`);
  refuses(`auto_auth {\n${m}\n${m}\n sink "file" { config { path = "/s" } } }`, `error parsing 'auto_auth': error parsing 'method': one and only one "method" block is required`);
  refuses('auto_auth {\n sink "file" { config { path = "/s" } } }', /one and only one "method" block is required/);
  refuses(`auto_auth {\n${m}\n}`, 'error validating configuration: auto_auth requires at least one sink or at least one template or api_proxy.use_auto_auth_token=true');
  refuses('vault { address = "http://x" }', 'error validating configuration: no auto_auth, cache, or listener block found in config');
});

test('validation: method wrap_ttl needs exactly one sink without wrap_ttl, and no auto-auth token in the proxy', () => {
  const m = 'method "approle" {\n wrap_ttl = "5m"\n config { role_id_file_path = "/r" } }';
  refuses(`auto_auth {\n${m}\n sink "file" { config { path = "/a" } }\n sink "file" { config { path = "/b" } } }`,
    /wrapping enabled on auth method and 0 or many sinks defined/);
  refuses(`auto_auth {\n${m}\n}\ntemplate { contents = "x"\n destination = "/d" }`, /wrapping enabled on auth method and 0 or many sinks defined/);
  refuses(`auto_auth {\n${m}\n sink "file" {\n wrap_ttl = "1m"\n config { path = "/a" } } }`, /wrapping enabled both on auth method and sink/);
  refuses(`auto_auth {\n${m}\n sink "file" { config { path = "/a" } } }\napi_proxy { use_auto_auth_token = true }\nlistener "tcp" { tls_disable = true }`,
    'error validating configuration: api_proxy.use_auto_auth_token is true and auto_auth uses wrapping');
});

test('validation: api_proxy needs a listener and auto_auth for its token; "force" is accepted', () => {
  refuses('api_proxy { use_auto_auth_token = true }\nauto_auth {\n method "approle" { config { role_id_file_path = "/r" } } }',
    'error validating configuration: configuring the api_proxy requires at least 1 listener to be defined');
  refuses('api_proxy { use_auto_auth_token = "force" }\nlistener "tcp" { tls_disable = true }',
    'error validating configuration: api_proxy.use_auto_auth_token is true but auto_auth not configured');
  refuses('api_proxy { use_auto_auth_token = "sometimes" }\nlistener "tcp" { tls_disable = true }', /can be either true\/false\/force, "sometimes" is an invalid option/);
  const c = parseValid('api_proxy { use_auto_auth_token = "force" }\nlistener "tcp" { tls_disable = true\n require_request_header = true }\nauto_auth {\n method "approle" { config { role_id_file_path = "/r" } } }');
  assert.equal(c.apiProxy?.forceAutoAuthToken, true);
  assert.equal(c.listeners[0]?.requireRequestHeader, true);
  refuses('cache { use_auto_auth_token = true }\napi_proxy { use_auto_auth_token = true }\nlistener "tcp" { tls_disable = true }\nauto_auth {\n method "approle" { config { role_id_file_path = "/r" } } }',
    /use_auto_auth_token defined in both api_proxy and cache config/);
  refuses('listener "tcp" { address = "127.0.0.1:1" }', /'tls_cert_file' and 'tls_key_file' are required/);
  refuses('listener "udp" { tls_disable = true }', /invalid listener type "udp"/);
});

test('validation: exec and env_template need each other and exclude template and api_proxy', () => {
  const aa = 'auto_auth {\n method "approle" { config { role_id_file_path = "/r" } } }';
  const env = 'env_template "DB_PASSWORD" { contents = "{{ with secret \\"secret/db\\" }}{{ .Data.data.pw }}{{ end }}" }';
  const exec = 'exec { command = ["./app", "arg"]\n restart_stop_signal = "SIGINT" }';
  const c = parseValid(`${aa}\n${env}\n${exec}`);
  assert.deepEqual(c.exec, { command: ['./app', 'arg'], restartOnSecretChanges: 'always', restartStopSignal: 'SIGINT', childProcessStdout: undefined, childProcessStderr: undefined });
  assert.equal(c.envTemplates[0]?.name, 'DB_PASSWORD');
  refuses(`${aa}\n${env}`, "error validating configuration: a top-level 'exec' element must be specified with 'env_template' entries");
  refuses(`${aa}\n${exec}\nsink "file" { config { path = "/s" } }`, /unknown or unsupported field "sink"/);
  refuses(`${aa}\n${exec}\ntemplate { contents = "x"\n destination = "/d" }`, "error validating configuration: must specify at least one 'env_template' element with a top-level 'exec' element");
  refuses(`${aa}\n${env}\n${exec}\ntemplate { contents = "x"\n destination = "/d" }`, "error validating configuration: 'template' cannot be specified with 'env_template' entries");
  refuses(`${aa}\n${env}\n${exec}\napi_proxy {}\nlistener "tcp" { tls_disable = true }`, "error validating configuration: 'api_proxy' cannot be specified with 'env_template' entries");
  refuses(`${aa}\n${env}\n${env}\n${exec}`, 'error validating configuration: env_template: duplicate environment variable name: "DB_PASSWORD"');
  refuses(`${aa}\nenv_template "X" { contents = "a"\n destination = "/d" }\n${exec}`, /env_template\[X\]: 'destination' is not allowed/);
  refuses(`${aa}\n${env}\nexec { command = ["a"]\n restart_on_secret_changes = "sometimes" }`, /'exec.restart_on_secret_changes' unexpected value: "sometimes"/);
  refuses(`${aa}\n${env}\nexec { command = ["a"]\n restart_stop_signal = "SIGNOPE" }`, /unknown signal/);
  refuses(`${aa}\nenv_template { contents = "a" }\n${exec}`, /expected one and only one environment variable name, got 0/);
});

test('validation: dh_type and dh_path come together; aad and derive_key need dh_type', () => {
  const m = 'method "approle" { config { role_id_file_path = "/r" } }';
  refuses(`auto_auth {\n${m}\n sink "file" {\n dh_type = "curve25519"\n config { path = "/s" } } }`, /sink\.file: 'dh_type' and 'dh_path' must be specified together/);
  refuses(`auto_auth {\n${m}\n sink "file" {\n dh_path = "/dh"\n config { path = "/s" } } }`, /'dh_type' and 'dh_path' must be specified together/);
  refuses(`auto_auth {\n${m}\n sink "file" {\n dh_type = "p256"\n dh_path = "/dh"\n config { path = "/s" } } }`, /invalid value for 'dh_type'/);
  refuses(`auto_auth {\n${m}\n sink "file" {\n aad = "x"\n config { path = "/s" } } }`, /specifying AAD data without 'dh_type' does not make sense/);
  refuses(`auto_auth {\n${m}\n sink "file" {\n derive_key = true\n config { path = "/s" } } }`, /specifying 'derive_key' data without 'dh_type' does not make sense/);
});

test('vault stanza: retry defaults to 12, -1 turns it off; tls_skip_verify as a string', () => {
  const base = 'listener "tcp" { tls_disable = true }\n';
  assert.equal(parseValid(`${base}vault { address = "http://a" }`).vault?.numRetries, 12);
  assert.equal(parseValid(`${base}vault {\n retry { num_retries = -1 } }`).vault?.numRetries, 0);
  assert.equal(parseValid(`${base}vault {\n retry { num_retries = 3 } }`).vault?.numRetries, 3);
  assert.equal(parseValid(`${base}vault { tls_skip_verify = "true" }`).vault?.tlsSkipVerify, true);
  refuses(`${base}vault { address = "a" }\nvault { address = "b" }`, /one and only one "vault" block is required/);
  refuses(`${base}vault { retry { attempts = 3 } }`, /unknown or unsupported field "attempts" in "vault.retry"/);
});

test('template_config: interval, exit_on_retry_failure, lease_renewal_threshold', () => {
  const c = parseValid('listener "tcp" { tls_disable = true }\ntemplate_config {\n static_secret_render_interval = "2s"\n exit_on_retry_failure = true\n lease_renewal_threshold = 0.5 }');
  assert.deepEqual([c.templateConfig?.staticSecretRenderIntervalMs, c.templateConfig?.exitOnRetryFailure, c.templateConfig?.leaseRenewalThreshold], [2000, true, 0.5]);
});

test('syntax errors name the file and position', () => {
  refuses('auto_auth {\n method "approle" {', /^agent\.hcl: At 2:\d+: /);
  refuses('{"auto_auth": }', /^c\.json:1:15: unexpected character "}"/, 'c.json');
});

test('a directory merges its *.hcl and *.json files in name order, skipping editor files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
  try {
    writeFileSync(join(dir, 'a-auth.hcl'), 'auto_auth {\n method "approle" { config { role_id_file_path = "/r" } }\n sink "file" { config { path = "/s" } } }\npid_file = "/p1"');
    writeFileSync(join(dir, 'b-vault.json'), JSON.stringify({ vault: { address: 'http://b' }, pid_file: '/p2' }));
    writeFileSync(join(dir, 'c.hcl~'), 'not = valid = hcl');
    writeFileSync(join(dir, '.#d.hcl'), 'not = valid = hcl');
    writeFileSync(join(dir, 'e.txt'), 'ignored');
    mkdirSync(join(dir, 'sub.hcl'));
    writeFileSync(join(dir, 'f-tpl.hcl'), 'template { contents = "x"\n destination = "/d" }');
    const extra = join(dir, 'sub.hcl', 'x.hcl');
    writeFileSync(extra, 'template { contents = "y"\n destination = "/e" }');
    const c = loadConfig([dir, extra], {});
    assert.equal(c.vault?.address, 'http://b');
    assert.equal(c.pidFile, '/p2');
    assert.deepEqual(c.templates.map((t) => t.destination), ['/d', '/e']);
    writeFileSync(join(dir, 'g.hcl'), 'bogus = 1');
    assert.throws(() => loadConfig([dir], {}), (err: Error) => {
      assert.match(err.message, new RegExp(`^Error loading configuration from ${dir}: error loading ".*g\\.hcl": .*g\\.hcl:1:1: unknown or unsupported field "bogus"`));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
