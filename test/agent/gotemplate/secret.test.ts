// Templates as the agent runs them: injected data functions, secrets as Go structs, values not
// fetched yet, missingkey modes, and secret values kept out of error texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'lossless-json';
import { GoStruct, goStrings, parseTemplate, secretValue, TemplateError, typed, type FuncMap, type SecretJSON } from '../../../src/agent/gotemplate/index.js';

const answer = (data: string): SecretJSON => parse(`{"request_id":"r-1","lease_id":"","lease_duration":2764800,"renewable":false,"data":${data},"warnings":null}`) as SecretJSON;
const kv = answer('{"data":{"username":"app","password":"s3cr3t-CANARY","port":5432},"metadata":{"version":3}}');

function run(t: string, funcs: FuncMap, missingKey: 'default' | 'error' = 'default', name?: string): string {
  return parseTemplate(t, { name, funcNames: new Set(Object.keys(funcs)) }).execute(undefined, funcs, { missingKey });
}
const secretFrom = (s: SecretJSON | null | undefined): FuncMap => ({ secret: () => (s === undefined ? undefined : secretValue(s)) });

test('the Kubernetes injector template renders a KV v2 secret', () => {
  const t = '{{- with secret "secret/data/app" -}}\npostgresql://{{ .Data.data.username }}:{{ .Data.data.password }}@postgres:5432/wizard\n{{- end }}\n';
  assert.equal(run(t, secretFrom(kv)), 'postgresql://app:s3cr3t-CANARY@postgres:5432/wizard\n');
  assert.equal(run('{{- with secret "secret/data/app" -}}{{ .Data.data.password }}{{- end }}', secretFrom(kv)), 's3cr3t-CANARY');
});

test('the secret function receives its arguments as strings', () => {
  const seen: unknown[][] = [];
  const funcs: FuncMap = { secret: (...a: unknown[]) => { seen.push(a); return secretValue(kv); } };
  run('{{ with secret "pki/issue/web" "common_name=a.example" "ttl=1h" }}{{ end }}{{ $p := "secret/data/app" }}{{ with secret $p }}{{ end }}', funcs);
  assert.deepEqual(seen, [['pki/issue/web', 'common_name=a.example', 'ttl=1h'], ['secret/data/app']]);
});

test('a value not fetched yet is nil: with skips, a field chain prints <no value>', () => {
  assert.equal(run('[{{ with secret "a" }}{{ .Data.data.password }}{{ end }}]', secretFrom(undefined)), '[]');
  assert.equal(run('{{ secret "a" }}', secretFrom(undefined)), '<no value>');
  assert.equal(run('{{ (secret "a").Data }}', secretFrom(undefined)), '<no value>');
});

test('a nil *dependency.Secret is false, and its fields fail as in Go', () => {
  assert.equal(run('{{ with secret "a" }}x{{ else }}none{{ end }}', secretFrom(null)), 'none');
  // Go reports the node evaluated last (the argument "a"), not the chain.
  assert.throws(() => run('{{ (secret "a").Data }}', secretFrom(null)),
    { message: 'template: :1:11: executing "" at <"a">: nil pointer evaluating *dependency.Secret.Data' });
  assert.throws(() => run('{{ with $s := secret "a" }}{{ else }}{{ $s.Data }}{{ end }}', secretFrom(null)), { message: /undefined variable: \$s|nil pointer/ });
});

test('an unknown field of the secret is an error whatever missingkey says', () => {
  for (const mk of ['default', 'error'] as const) {
    assert.throws(() => run('{{ with secret "a" }}{{ .Foo }}{{ end }}', secretFrom(kv), mk),
      { name: 'TemplateError', message: 'template: :1:24: executing "" at <.Foo>: can\'t evaluate field Foo in type *dependency.Secret' });
  }
});

test('a missing key: <no value>, or Go\'s error under error_on_missing_key', () => {
  const t = '{{ with secret "a" }}\n{{ .Data.data.pw }}{{ end }}';
  assert.equal(run(t, secretFrom(kv)), '\n<no value>');
  assert.throws(() => run(t, secretFrom(kv), 'error'), { message: 'template: :2:8: executing "" at <.Data.data.pw>: map has no entry for key "pw"' });
  assert.throws(() => run(t, secretFrom(kv), 'error', 'x'), { message: 'template: x:2:8: executing "x" at <.Data.data.pw>: map has no entry for key "pw"' });
});

test('struct fields print with their Go types', () => {
  assert.equal(run('{{ with secret "a" }}{{ .LeaseDuration }} {{ .Renewable }} {{ .Warnings }} {{ .Auth }} {{ .RequestID }} {{ .Data.metadata }}{{ end }}', secretFrom(kv)),
    '2764800 false [] <nil> r-1 map[version:3]');
  assert.equal(run('{{ with secret "a" }}{{ .Data.data.port }} {{ printf "%d" .Data.data.port }} {{ .LeaseDuration | printf "%d" }}{{ end }}', secretFrom(kv)),
    '5432 %!d(json.Number=5432) 2764800');
  assert.equal(run('{{ secret "a" }}', secretFrom(answer('{"k":"v"}'))), '{r-1  2764800 false map[k:v] [] <nil> <nil>}');
  assert.equal(run('{{ printf "%v" (secret "a") }}', secretFrom(answer('{"k":"v"}'))), '&{r-1  2764800 false map[k:v] [] <nil> <nil>}');
  assert.equal(run('{{ printf "%+v" (secret "a") }}', secretFrom(answer('{"k":"v"}'))),
    '&{RequestID:r-1 LeaseID: LeaseDuration:2764800 Renewable:false Data:map[k:v] Warnings:[] Auth:<nil> WrapInfo:<nil>}');
});

test('ranging over secret data and a secrets list', () => {
  const funcs: FuncMap = { ...secretFrom(answer('{"b":"2","a":"1"}')), secrets: () => goStrings(['x', 'y/']) };
  assert.equal(run('{{ range $k, $v := (secret "a").Data }}{{ $k }}={{ $v }};{{ end }}', funcs), 'a=1;b=2;');
  assert.equal(run('{{ range secrets "secret/" }}[{{ . }}]{{ end }}', funcs), '[x][y/]');
  assert.equal(run('{{ with secret "a" }}{{ toJSON .Data }}{{ end }}', funcs), '{"a":"1","b":"2"}');
});

test('a function that throws fails the execution with its message', () => {
  const funcs: FuncMap = { secret: (p: unknown) => { throw new Error(`no secret exists at ${String(p)}`); } };
  assert.throws(() => run('x\n  {{ with secret "secret/data/app" }}{{ end }}', funcs),
    { message: 'template: :2:10: executing "" at <secret "secret/data/app">: error calling secret: no secret exists at secret/data/app' });
});

test('a name given at parse time but absent at execution is not a defined function', () => {
  const tpl = parseTemplate('{{ env "HOME" }}', { funcNames: new Set(['env']) });
  assert.throws(() => tpl.execute({}, {}, { missingKey: 'default' }), { message: 'template: :1:3: executing "" at <env>: "env" is not a defined function' });
  assert.equal(tpl.execute({}, { env: (k: unknown) => `v-${String(k)}` }, { missingKey: 'default' }), 'v-HOME');
});

test('caller functions take precedence over consul-template\'s and Go\'s', () => {
  const funcs: FuncMap = { toUpper: () => 'mine', len: () => 7 };
  assert.equal(run('{{ toUpper "a" }} {{ len "abc" }}', funcs), 'mine 7');
});

test('parse errors are TemplateError with Go\'s text and the template name', () => {
  assert.throws(() => parseTemplate('a\n\n{{ service "web" }}', { funcNames: new Set() }), (e: unknown) => e instanceof TemplateError && e.message === 'template: :3: function "service" is not supported by lockbox agent');
  assert.throws(() => parseTemplate('{{ if .a }}', { name: 'web.ctmpl', funcNames: new Set() }), { message: 'template: web.ctmpl:1: unexpected EOF' });
  // A caller that really provides such a function may use it.
  assert.equal(parseTemplate('{{ service "web" }}', { funcNames: new Set(['service']) }).execute({}, { service: () => 'ok' }, { missingKey: 'default' }), 'ok');
});

test('custom delimiters with a secret', () => {
  const tpl = parseTemplate('[[ with secret "a" ]][[ .Data.data.username ]] {{ not a tag }}[[ end ]]', { leftDelim: '[[', rightDelim: ']]', funcNames: new Set(['secret']) });
  assert.equal(tpl.execute(undefined, secretFrom(kv), { missingKey: 'default' }), 'app {{ not a tag }}');
});

test('execution is repeatable: the same template renders again with new data', () => {
  const tpl = parseTemplate('{{ with secret "a" }}{{ .Data.v }}{{ end }}', { funcNames: new Set(['secret']) });
  assert.equal(tpl.execute(undefined, secretFrom(undefined), { missingKey: 'default' }), '');
  assert.equal(tpl.execute(undefined, secretFrom(answer('{"v":"one"}')), { missingKey: 'default' }), 'one');
  assert.equal(tpl.execute(undefined, secretFrom(answer('{"v":"two"}')), { missingKey: 'default' }), 'two');
});

// Some Go messages do quote values (strconv's parse errors, "range can't iterate over", math
// type errors); the runner redacts secret values from those before logging.
test('canary: common execution errors name keys and types, never secret values', () => {
  const bad = [
    '{{ with secret "a" }}{{ .Data.data.password.x }}{{ end }}',
    '{{ with secret "a" }}{{ eq .Data.data.password 1 }}{{ end }}',
    '{{ with secret "a" }}{{ index .Data.data.password 99 }}{{ end }}',
    '{{ with secret "a" }}{{ .Data.data.missing }}{{ end }}',
    '{{ with secret "a" }}{{ lt .Data.data.password 1 }}{{ end }}',
    '{{ with secret "a" }}{{ .Data.data.password | base64Decode }}{{ end }}',
  ];
  for (const t of bad) {
    assert.throws(() => run(t, secretFrom(kv), 'error'), (e: unknown) => {
      assert.ok(e instanceof TemplateError, t);
      assert.ok(!e.message.includes('s3cr3t'), `${t}: ${e.message}`);
      assert.ok(!(e.stack ?? '').includes('s3cr3t'), t);
      return true;
    });
  }
});

test('typed caller functions get Go\'s argument checks', () => {
  const funcs: FuncMap = { secret: typed([], (...p: string[]) => `got ${p.join(',')}`, 'string') };
  assert.equal(run('{{ secret "a" "b" }}', funcs), 'got a,b');
  assert.throws(() => run('{{ secret "a" 1 }}', funcs), { message: 'template: :1:14: executing "" at <1>: expected string; found 1' });
  assert.throws(() => run('{{ secret .x }}', { ...funcs }), { message: 'template: :1:10: executing "" at <.x>: invalid value; expected string' });
});

test('a struct method without arguments (PemEncoded.Data) is called by name and never printed', () => {
  const pem = new GoStruct('dependency.PemEncoded', ['Cert', 'Key', 'CA', 'CAChain'], { Cert: 'c', Key: 'k', CA: 'a', CAChain: goStrings(['a']) }, { Data: (self) => self });
  const funcs: FuncMap = { pkiCert: () => pem };
  assert.equal(run('{{ with pkiCert "p" }}{{ .Data.Cert }}{{ .Key }}{{ .Data.Data.CA }}{{ end }}', funcs), 'cka');
  assert.equal(run('{{ pkiCert "p" }}', funcs), '{c k a [a]}');
  assert.equal(run('{{ printf "%+v" (pkiCert "p").Data }}', funcs), '{Cert:c Key:k CA:a CAChain:[a]}');
  assert.throws(() => run('{{ with pkiCert "p" }}{{ .Data 1 }}{{ end }}', funcs), { message: /wrong number of args for Data: want 0 got 1/ });
});
