// Table-driven: each row is a set of policies, one request and Vault's documented answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileAcl, defaultPolicyText, parsePolicy, rootPolicy, type Operation, type Policy,
} from '../../src/policy/index.js';

// Policies are HCL text; "ROOT" and "DEFAULT" stand for the built-in ones.
const toPolicy = (text: string, i: number): Policy =>
  text === 'ROOT' ? rootPolicy : parsePolicy(text === 'DEFAULT' ? 'default' : `p${i}`, text === 'DEFAULT' ? defaultPolicyText : text);
const acl = (policies: string[]) => compileAcl(policies.map(toPolicy));
const stanza = (path: string, caps: string[], extra = ''): string =>
  `path "${path}" {\n  capabilities = ${JSON.stringify(caps)}\n${extra}}\n`;

// The docs' first detailed example.
const DOCS_EXAMPLE = stanza('secret/*', ['create', 'read', 'update', 'patch', 'delete', 'list'])
  + stanza('secret/super-secret', ['deny'])
  + stanza('secret/restricted', ['create'], 'allowed_parameters = {\n "foo" = []\n "bar" = ["zip", "zap"]\n}\n');
// The docs' glob examples.
const GLOBS = stanza('secret/foo', ['read']) + stanza('secret/bar/*', ['read']) + stanza('secret/zip-*', ['read']);
// The docs' "+" examples.
const PLUS = stanza('secret/+/teamb', ['read']) + stanza('secret/+/+/teamb', ['read']);
const ALL_WRITE = ['create', 'update', 'patch'];
const withParams = (extra: string) => [stanza('secret/foo', ALL_WRITE.concat('read'), extra)];
const WRAPPED = [stanza('auth/approle/role/my-role/secret-id', ['create', 'update'], 'min_wrapping_ttl = "1s"\nmax_wrapping_ttl = "90s"\n')];

type Row = {
  name: string;
  policies: string[];
  path: string;
  op?: Operation;
  params?: Record<string, unknown>;
  wrap?: number;
  allowed: boolean;
  sudo?: boolean;
};

const rows: Row[] = [
  // Documented example policy: broad glob, explicit deny, parameter-restricted exact path.
  { name: 'docs: secret/* grants read', policies: [DOCS_EXAMPLE], path: 'secret/foo', allowed: true },
  { name: 'docs: deny on secret/super-secret wins over secret/*', policies: [DOCS_EXAMPLE], path: 'secret/super-secret', allowed: false },
  { name: 'docs: restricted accepts foo (any) and bar=zip', policies: [DOCS_EXAMPLE], path: 'secret/restricted', op: 'create', params: { foo: 'anything', bar: 'zip' }, allowed: true },
  { name: 'docs: restricted refuses bar=zoo', policies: [DOCS_EXAMPLE], path: 'secret/restricted', op: 'create', params: { bar: 'zoo' }, allowed: false },
  { name: 'docs: restricted refuses an unlisted parameter', policies: [DOCS_EXAMPLE], path: 'secret/restricted', op: 'create', params: { baz: 'x' }, allowed: false },
  { name: 'docs: the exact rule applies alone (no update from secret/*)', policies: [DOCS_EXAMPLE], path: 'secret/restricted', op: 'update', allowed: false },
  // Exact paths and trailing-* prefix globs.
  { name: 'exact: secret/foo', policies: [GLOBS], path: 'secret/foo', allowed: true },
  { name: 'exact: not secret/food', policies: [GLOBS], path: 'secret/food', allowed: false },
  { name: 'exact: not secret/foo/bar', policies: [GLOBS], path: 'secret/foo/bar', allowed: false },
  { name: 'glob: secret/bar/* covers secret/bar/zip/zap', policies: [GLOBS], path: 'secret/bar/zip/zap', allowed: true },
  { name: 'glob: secret/bar/* not secret/bars/zip', policies: [GLOBS], path: 'secret/bars/zip', allowed: false },
  { name: 'glob: secret/zip-* covers secret/zip-zap', policies: [GLOBS], path: 'secret/zip-zap', allowed: true },
  { name: 'glob: secret/zip-* covers secret/zip-zap/zong', policies: [GLOBS], path: 'secret/zip-zap/zong', allowed: true },
  { name: 'glob: secret/zip-* not secret/zip/zap', policies: [GLOBS], path: 'secret/zip/zap', allowed: false },
  { name: 'a leading "/" on the request path is ignored', policies: [GLOBS], path: '/secret/foo', allowed: true },
  // "+" is exactly one segment.
  { name: 'plus: secret/+/teamb', policies: [PLUS], path: 'secret/foo/teamb', allowed: true },
  { name: 'plus: secret/+/+/teamb', policies: [PLUS], path: 'secret/foo/bar/teamb', allowed: true },
  { name: 'plus: needs a segment (secret/teamb)', policies: [PLUS], path: 'secret/teamb', allowed: false },
  { name: 'plus: no trailing segments without a glob', policies: [PLUS], path: 'secret/foo/teamb/x', allowed: false },
  { name: 'plus: not three segments', policies: [PLUS], path: 'secret/a/b/c/teamb', allowed: false },
  { name: 'plus with glob: secret/+/app* covers deeper paths', policies: [stanza('secret/+/app*', ['read'])], path: 'secret/x/apples/y', allowed: true },
  // Priority between matching patterns (the docs' ordering).
  { name: 'priority docs: secret/* beats secret/+/+/foo/* (more +)', policies: [stanza('secret/*', ['read']) + stanza('secret/+/+/foo/*', ['deny'])], path: 'secret/a/b/foo/x', allowed: true },
  { name: 'priority 1: later first wildcard wins (foo/a* over foo/+)', policies: [stanza('foo/a*', ['read']) + stanza('foo/+', ['deny'])], path: 'foo/abc', allowed: true },
  { name: 'priority 1: foo/bar/+/baz over foo/+/+/baz', policies: [stanza('foo/bar/+/baz', ['read']) + stanza('foo/+/+/baz', ['deny'])], path: 'foo/bar/x/baz', allowed: true },
  { name: 'priority 2: foo/+/bar over foo/+/ba*', policies: [stanza('foo/+/bar', ['read']) + stanza('foo/+/ba*', ['deny'])], path: 'foo/x/bar', allowed: true },
  { name: 'priority 2: foo/+ over foo/*', policies: [stanza('foo/+', ['read']) + stanza('foo/*', ['deny'])], path: 'foo/x', allowed: true },
  { name: 'priority 2: foo/* still governs deeper paths', policies: [stanza('foo/+', ['read']) + stanza('foo/*', ['deny'])], path: 'foo/x/y', allowed: false },
  { name: 'priority 3: fewer + wins (a/+/c/d over a/+/+/d)', policies: [stanza('a/+/c/d', ['read']) + stanza('a/+/+/d', ['deny'])], path: 'a/b/c/d', allowed: true },
  { name: 'priority 4: longer wins (foo/+/bar/ba* over foo/+/bar/b*)', policies: [stanza('foo/+/bar/ba*', ['read']) + stanza('foo/+/bar/b*', ['deny'])], path: 'foo/x/bar/baz', allowed: true },
  { name: 'priority 5: lexically greater wins (a/+/x/+ over a/+/+/y)', policies: [stanza('a/+/x/+', ['read']) + stanza('a/+/+/y', ['deny'])], path: 'a/1/x/y', allowed: true },
  { name: 'longest prefix wins: secret/app/* over secret/*', policies: [stanza('secret/*', ['read']) + stanza('secret/app/*', ['deny'])], path: 'secret/app/db', allowed: false },
  { name: 'exact beats a glob with more capabilities', policies: [stanza('secret/*', ['read', 'update']) + stanza('secret/foo', ['read'])], path: 'secret/foo', op: 'update', allowed: false },
  // Same pattern in several policies: merged; different patterns: one applies.
  { name: 'merge: capabilities of one pattern in two policies are united', policies: [stanza('secret/*', ['read']), stanza('secret/*', ['update'])], path: 'secret/x', op: 'update', allowed: true },
  { name: 'merge: repeated stanzas in one policy are united', policies: [stanza('secret/*', ['read']) + stanza('secret/*', ['delete'])], path: 'secret/x', op: 'delete', allowed: true },
  { name: 'merge: deny in another policy wins', policies: [stanza('secret/*', ['read', 'sudo']), stanza('secret/*', ['deny'])], path: 'secret/x', allowed: false, sudo: false },
  { name: 'merge: different patterns are not merged', policies: [stanza('secret/foo', ['read']), stanza('secret/*', ['update'])], path: 'secret/foo', op: 'update', allowed: false },
  // Capabilities map to operations; sudo is reported as root privileges.
  { name: 'sudo path: allowed with rootPrivs', policies: [stanza('sys/audit/*', ['create', 'update', 'sudo'])], path: 'sys/audit/file', op: 'update', allowed: true, sudo: true },
  { name: 'no sudo: rootPrivs false', policies: [stanza('secret/*', ['read'])], path: 'secret/x', allowed: true, sudo: false },
  { name: 'sudo is reported even when the operation is refused', policies: [stanza('sys/audit/*', ['sudo', 'read'])], path: 'sys/audit/file', op: 'delete', allowed: false, sudo: true },
  { name: 'patch needs patch, not update', policies: [stanza('secret/*', ['update'])], path: 'secret/x', op: 'patch', allowed: false },
  { name: 'list on "dir/" uses an exact rule for "dir"', policies: [stanza('secret/foo', ['list'])], path: 'secret/foo/', op: 'list', allowed: true },
  { name: 'list on "secret/" under secret/*', policies: [stanza('secret/*', ['list'])], path: 'secret/', op: 'list', allowed: true },
  { name: 'no policies: nothing is allowed', policies: [], path: 'secret/x', allowed: false },
  // Parameter constraints.
  { name: 'params: "*" = [] lets other parameters through', policies: withParams('allowed_parameters = {\n bar = ["zip", "zap"]\n "*" = []\n}\n'), path: 'secret/foo', op: 'create', params: { bar: 'zip', other: 1 }, allowed: true },
  { name: 'params: "*" = [] keeps listed values restricted', policies: withParams('allowed_parameters = {\n bar = ["zip", "zap"]\n "*" = []\n}\n'), path: 'secret/foo', op: 'create', params: { bar: 'zoo' }, allowed: false },
  { name: 'params: denied with [] refuses the parameter', policies: withParams('denied_parameters = { bar = [] }\n'), path: 'secret/foo', op: 'update', params: { bar: 'x' }, allowed: false },
  { name: 'params: denied leaves other parameters allowed', policies: withParams('denied_parameters = { bar = [] }\n'), path: 'secret/foo', op: 'update', params: { other: 'x' }, allowed: true },
  { name: 'params: denied values refuse those values', policies: withParams('denied_parameters = { bar = ["zip", "zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'zap' }, allowed: false },
  { name: 'params: denied values allow others', policies: withParams('denied_parameters = { bar = ["zip", "zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'zop' }, allowed: true },
  { name: 'params: denied "*" refuses any parameter', policies: withParams('denied_parameters = { "*" = [] }\n'), path: 'secret/foo', op: 'create', params: { a: 1 }, allowed: false },
  { name: 'params: denied "*" allows a request without parameters', policies: withParams('denied_parameters = { "*" = [] }\n'), path: 'secret/foo', op: 'create', allowed: true },
  { name: 'params: denied beats allowed', policies: withParams('allowed_parameters = { bar = [] }\ndenied_parameters = { bar = ["zip"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'zip' }, allowed: false },
  { name: 'params: prefix glob value foo-* matches foo-abc', policies: withParams('allowed_parameters = { bar = ["foo-*"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'foo-abc' }, allowed: true },
  { name: 'params: prefix glob value foo-* refuses bar-foo', policies: withParams('allowed_parameters = { bar = ["foo-*"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'bar-foo' }, allowed: false },
  { name: 'params: suffix glob value *-prod', policies: withParams('allowed_parameters = { db = ["*-prod"] }\n'), path: 'secret/foo', op: 'create', params: { db: 'orders-prod' }, allowed: true },
  { name: 'params: both-ends glob value *mid*', policies: withParams('allowed_parameters = { x = ["*mid*"] }\n'), path: 'secret/foo', op: 'create', params: { x: 'amidst' }, allowed: true },
  { name: 'params: a comma list passes when every item is allowed', policies: withParams('allowed_parameters = { bar = ["zip", "zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'zip, zap' }, allowed: true },
  { name: 'params: a comma list fails when one item is not', policies: withParams('allowed_parameters = { bar = ["zip", "zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: 'zip,canary-5f3a91' }, allowed: false },
  { name: 'params: a list value fails when one element is not allowed', policies: withParams('allowed_parameters = { bar = ["zip", "zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: ['zip', 'zoo'] }, allowed: false },
  { name: 'params: a list value is denied when one element is denied', policies: withParams('denied_parameters = { bar = ["zap"] }\n'), path: 'secret/foo', op: 'create', params: { bar: ['zip', 'zap'] }, allowed: false },
  { name: 'params: names match case-insensitively', policies: withParams('allowed_parameters = { Foo = ["x"] }\n'), path: 'secret/foo', op: 'create', params: { FOO: 'x' }, allowed: true },
  { name: 'params: required present', policies: withParams('required_parameters = ["bar", "baz"]\n'), path: 'secret/foo', op: 'create', params: { bar: 1, baz: 2 }, allowed: true },
  { name: 'params: required missing', policies: withParams('required_parameters = ["bar", "baz"]\n'), path: 'secret/foo', op: 'create', params: { bar: 1 }, allowed: false },
  { name: 'params: required with no parameters at all', policies: withParams('required_parameters = ["bar"]\n'), path: 'secret/foo', op: 'update', allowed: false },
  { name: 'params: required names are matched lower-cased', policies: withParams('required_parameters = ["Bar"]\n'), path: 'secret/foo', op: 'create', params: { bar: 1 }, allowed: true },
  { name: 'params: not checked on delete', policies: [stanza('secret/foo', ['delete'], 'denied_parameters = { "*" = [] }\n')], path: 'secret/foo', op: 'delete', params: { a: 1 }, allowed: true },
  { name: 'params: allowed values from two policies add up', policies: withParams('allowed_parameters = { bar = ["zip"] }\n').concat(withParams('allowed_parameters = { bar = ["zap"] }\n')), path: 'secret/foo', op: 'create', params: { bar: 'zap' }, allowed: true },
  { name: 'params: an empty list from one policy frees the parameter', policies: withParams('allowed_parameters = { bar = ["zip"] }\n').concat(withParams('allowed_parameters = { bar = [] }\n')), path: 'secret/foo', op: 'create', params: { bar: 'anything' }, allowed: true },
  // Response-wrapping TTL bounds.
  { name: 'wrapping: within min and max', policies: WRAPPED, path: 'auth/approle/role/my-role/secret-id', op: 'update', wrap: 60, allowed: true },
  { name: 'wrapping: a minimum makes wrapping mandatory', policies: WRAPPED, path: 'auth/approle/role/my-role/secret-id', op: 'update', allowed: false },
  { name: 'wrapping: above the maximum', policies: WRAPPED, path: 'auth/approle/role/my-role/secret-id', op: 'update', wrap: 120, allowed: false },
  { name: 'wrapping: merged bounds take the lowest minimum', policies: [stanza('w', ['read'], 'min_wrapping_ttl = "30s"\n'), stanza('w', ['read'], 'min_wrapping_ttl = 10\n')], path: 'w', wrap: 15, allowed: true },
  { name: 'wrapping: merged bounds that cross refuse everything', policies: [stanza('w', ['read'], 'min_wrapping_ttl = "1m"\n'), stanza('w', ['read'], 'max_wrapping_ttl = "30s"\n')], path: 'w', wrap: 45, allowed: false },
  { name: 'templated paths are dropped, never matched literally', policies: [stanza('secret/{{identity.entity.id}}/*', ['read'])], path: 'secret/{{identity.entity.id}}/x', allowed: false },
  // Built-in policies.
  { name: 'root: anything, with sudo', policies: ['ROOT'], path: 'sys/raw/anything', op: 'delete', allowed: true, sudo: true },
  { name: 'root: wins over a deny in another policy', policies: ['ROOT', stanza('*', ['deny'])], path: 'secret/x', allowed: true, sudo: true },
  { name: 'default: lookup-self', policies: ['DEFAULT'], path: 'auth/token/lookup-self', allowed: true },
  { name: 'default: not sys/mounts', policies: ['DEFAULT'], path: 'sys/mounts', allowed: false },
  { name: 'default: write to its own cubbyhole', policies: ['DEFAULT'], path: 'cubbyhole/notes', op: 'create', allowed: true },
  { name: 'default: capabilities-self', policies: ['DEFAULT'], path: 'sys/capabilities-self', op: 'update', allowed: true },
];

for (const row of rows) {
  test(row.name, () => {
    const decision = acl(row.policies).allowed({
      path: row.path, operation: row.op ?? 'read', params: row.params, wrapTtlSeconds: row.wrap,
    });
    assert.equal(decision.allowed, row.allowed, decision.reason ?? 'allowed');
    if (row.sudo !== undefined) assert.equal(decision.rootPrivs, row.sudo);
    if (!decision.allowed) assert.ok(decision.reason, 'a refusal carries a reason for the log');
    // A refusal's reason goes to logs: it may name parameters but never quote their values.
    const values = Object.values(row.params ?? {}).flat().filter((v): v is string => typeof v === 'string');
    for (const v of values) if (v.length > 3) assert.ok(!decision.reason?.includes(v), 'a value reached the reason');
  });
}

type CapRow = { name: string; policies: string[]; path: string; expected: string[] };

const capRows: CapRow[] = [
  { name: 'nothing matches', policies: [], path: 'secret/x', expected: ['deny'] },
  { name: 'the root policy', policies: ['ROOT'], path: 'anything', expected: ['root'] },
  { name: 'docs sample answer, sorted', policies: [stanza('secret/*', ['update', 'read', 'delete', 'list'])], path: 'secret/foo', expected: ['delete', 'list', 'read', 'update'] },
  { name: 'an explicit deny', policies: [DOCS_EXAMPLE], path: 'secret/super-secret', expected: ['deny'] },
  { name: 'merged across policies', policies: [stanza('secret/*', ['read', 'sudo']), stanza('secret/*', ['create'])], path: 'secret/a', expected: ['create', 'read', 'sudo'] },
  { name: 'only ignored capabilities', policies: [stanza('events/*', ['subscribe'])], path: 'events/x', expected: ['deny'] },
  { name: 'default policy on sys/mounts', policies: ['DEFAULT'], path: 'sys/mounts', expected: ['deny'] },
  { name: 'default policy on the cubbyhole', policies: ['DEFAULT'], path: 'cubbyhole/x', expected: ['create', 'delete', 'list', 'read', 'update'] },
  { name: 'a trailing "/" falls back to the exact rule', policies: [stanza('secret/foo', ['list'])], path: 'secret/foo/', expected: ['list'] },
  { name: 'the highest-priority pattern answers', policies: [stanza('foo/+', ['read']) + stanza('foo/*', ['update'])], path: 'foo/x', expected: ['read'] },
];

for (const row of capRows) {
  test(`capabilities: ${row.name}`, () => {
    assert.deepEqual(acl(row.policies).capabilities(row.path), row.expected);
  });
}

test('the tables are big enough to mean something', () => {
  assert.ok(rows.length + capRows.length >= 40);
});
