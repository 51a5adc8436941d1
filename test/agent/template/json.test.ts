// The agent's fast lossless JSON parse agrees with lossless-json's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLosslessNumber, parse } from 'lossless-json';
import { parseJsonLossless } from '../../../src/agent/template/json.js';

test('numbers keep their text; strings (escapes, digits, a U+0000 look-alike) are untouched', () => {
  for (const text of [
    '{"a":1.50,"b":-0,"c":1e3,"d":12345678901234567890,"e":[0.1,2,{"f":-3.25E-2}]}',
    '{"s":"x 12 \\" 3 \\\\","t":true,"n":null,"u":"\\u0000lbn:5","k 1":"v"}',
    '[]', '"only"', '7', '{"nested":{"data":{"port":5432,"list":["1",2]}}}',
  ]) {
    assert.equal(JSON.stringify(parseJsonLossless(text)), JSON.stringify(parse(text)), text);
  }
  const v = parseJsonLossless('{"port":5432,"ratio":1.50}') as Record<string, unknown>;
  assert.ok(isLosslessNumber(v.port) && v.port.value === '5432');
  assert.ok(isLosslessNumber(v.ratio) && v.ratio.value === '1.50');
  assert.throws(() => parseJsonLossless('{"a":'));
});
