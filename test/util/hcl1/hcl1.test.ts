// The HCL1 reader on its own: values, blocks and repeats decoded as Vault's HCL1 decodes them,
// and every refusal located by line and column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHcl1, decodeHcl1OrJson, Hcl1Error, parseHcl1 } from '../../../src/util/hcl1/index.js';

test('literals: strings with escapes, heredocs, numbers in each base, bools', () => {
  assert.deepEqual(decodeHcl1(`
    s = "tab\\there \\"q\\" \\\\ \\u00e9 \\U0001F512 \\x41 \\101"
    i = 42  neg = -7  hex = 0x1F  oct = 017  zero = 0
    f = 1.5  e = 2e3  ne = -1.25E-2
    t = true  no = false
    h = <<END
  kept as is
END
  `), {
    s: 'tab\there "q" \\ é 🔒 A A', i: 42, neg: -7, hex: 31, oct: 15, zero: 0,
    f: 1.5, e: 2000, ne: -0.0125, t: true, no: false, h: '  kept as is\n',
  });
});

test('interpolation and templates stay literal text, quotes inside ${} included', () => {
  assert.deepEqual(decodeHcl1('a = "${var.x["k"]}/y"\nb = "secret/{{identity.entity.id}}/*"'), {
    a: '${var.x["k"]}/y', b: 'secret/{{identity.entity.id}}/*',
  });
});

test('"<<-" removes the closing marker\'s indentation only when every line has it', () => {
  assert.equal(decodeHcl1('x = <<-EOT\n    a\n      b\n    EOT\n').x, 'a\n  b\n');
  assert.equal(decodeHcl1('x = <<-EOT\n    a\n  b\n    EOT\n').x, '    a\n  b\n');
  assert.equal(decodeHcl1('x = <<EOT\nEOT\n').x, '');
});

test('blocks: labels nest, repeats of one label add up in text order, bare labels too', () => {
  assert.deepEqual(decodeHcl1('a "x" { n = 1 }\na "y" "z" { n = 2 }\na x { n = 3 }\nb { n = 4 }\nb = { n = 5 }'), {
    a: { x: [{ n: 1 }, { n: 3 }], y: { z: [{ n: 2 }] } },
    b: [{ n: 4 }, { n: 5 }],
  });
});

test('repeated attributes: lists concatenate, scalars keep the last value', () => {
  assert.deepEqual(decodeHcl1('l = ["a"]\nl = ["b", "c"]\ns = "one"\ns = "two"'), { l: ['a', 'b', 'c'], s: 'two' });
});

test('lists hold any value: nested lists, objects, heredocs; trailing commas and comments allowed', () => {
  assert.deepEqual(decodeHcl1('l = [\n  [1, 2,],\n  { k = "v" }, // c\n  <<E\nh\nE\n  , /* c */ true,\n]'), {
    l: [[1, 2], { k: 'v' }, 'h\n', true],
  });
  assert.deepEqual(decodeHcl1('l = []'), { l: [] });
});

test('a key named __proto__ is data, not a prototype', () => {
  const data = decodeHcl1('__proto__ = "x"\nm = { "__proto__" = ["y"] }');
  assert.equal(Object.getPrototypeOf(data), Object.prototype);
  assert.equal(Object.hasOwn(data, '__proto__'), true);
  assert.deepEqual(Object.keys(data), ['__proto__', 'm']);
});

test('the syntax tree records where each key is', () => {
  const [item] = parseHcl1('\n  path "a"\n  {\n  }');
  assert.deepEqual(item?.keys, [{ name: 'path', pos: { line: 2, column: 3 } }, { name: 'a', pos: { line: 2, column: 8 } }]);
  assert.equal(item?.value.kind, 'object');
});

test('JSON documents: parsed as JSON, errors located', () => {
  assert.deepEqual(decodeHcl1OrJson('  {"a": [1, {"b": null}]}'), { a: [1, { b: null }] });
  assert.throws(() => decodeHcl1OrJson('{\n "a": tru\n}'), /^Hcl1Error: At 2:7: unexpected character "t"$/);
  assert.throws(() => decodeHcl1OrJson('{"a": "\\q"}'), /^Hcl1Error: At 1:9: invalid escape sequence$/);
  assert.throws(() => decodeHcl1OrJson('{"a": 1} {}'), /^Hcl1Error: At 1:10: unexpected text after the document$/);
});

test('a JSON error never echoes the document', () => {
  const secret = 'hunter2-canary';
  assert.throws(() => decodeHcl1OrJson(`{"token": "${secret}" oops}`), (err: Error) => !err.message.includes(secret));
});

const refusals: [text: string, message: string][] = [
  ['a = ', 'At 1:5: Unknown token: EOF'],
  ['a = b', 'At 1:5: Unknown token: IDENT b'],
  ['a "b" = 1', 'At 1:7: nested object expected: LBRACE got: ASSIGN'],
  ['= 1', 'At 1:1: no object keys found'],
  ['{}', 'At 1:1: expected: IDENT | STRING got: LBRACE'],
  ['a {', 'At 1:4: object expected closing RBRACE got: EOF'],
  ['a }', 'At 1:3: expected: IDENT | STRING | ASSIGN | LBRACE got: RBRACE'],
  ['a = [1 2]', 'At 1:8: unexpected token while parsing list: NUMBER'],
  ['a = [1,', 'At 1:8: list expected closing RBRACK got: EOF'],
  ['a = "x\ny"', 'At 1:5: literal not terminated'],
  ['a = "\\z"', 'At 1:6: unknown escape sequence'],
  ['a = "\\ud800"', 'At 1:6: escape sequence is invalid Unicode code point'],
  ['a = 09', 'At 1:5: illegal octal number "09"'],
  ['a = 1h', 'At 1:5: illegal number "1h"'],
  ['a = <<END\nno end', 'At 1:5: heredoc not terminated'],
  ['a = <<\nx\n', 'At 1:5: heredoc expected marker name'],
  ['/* open', 'At 1:1: comment not terminated'],
  ['a = 1 / 2', 'At 1:7: expected "/" or "*" after "/" to start a comment'],
  ['a = @', 'At 1:5: illegal character "@"'],
  ['a = 1\na "x" {}', 'At 2:1: key "a" is given both as a value and as a labelled block'],
  ['a {}\na = 1', 'At 2:1: key "a" is given both as a block and as a value'],
];

for (const [text, message] of refusals) {
  test(`refused, located: ${JSON.stringify(text)}`, () => {
    assert.throws(() => decodeHcl1(text), (err: unknown) => {
      assert.ok(err instanceof Hcl1Error);
      assert.equal(err.message, message);
      return true;
    });
  });
}
