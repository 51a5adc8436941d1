// The table formatter's pieces, which must match Vault's output byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columns, goValue, headerFor, humanDuration, kvTable, padEqualSigns, quotedList, secretPairs } from '../../src/cli/output.js';

test('durations print as Go does, trimmed like Vault', () => {
  const cases: Array<[number, string]> = [[0, '0s'], [5, '5s'], [60, '1m'], [90, '1m30s'], [3600, '1h'], [3601, '1h1s'],
    [5400, '1h30m'], [2764800, '768h'], [86399, '23h59m59s']];
  for (const [seconds, text] of cases) assert.equal(humanDuration(seconds), text, String(seconds));
});

test('values print as Go\'s %v', () => {
  assert.equal(goValue(null), '<nil>');
  assert.equal(goValue(['a', 'b']), '[a b]');
  assert.equal(goValue({ z: 1, a: [true] }), 'map[a:[true] z:1]');
  assert.equal(quotedList(['default', 'x']), '["default" "x"]');
});

test('columns: four-space gutter, last column unpadded, empty cells as n/a', () => {
  assert.equal(columns([['a', 'b', 'c'], ['long-key', '', 'x']]), 'a           b      c\nlong-key    n/a    x');
  assert.equal(kvTable([['k', 'v']]), 'Key    Value\n---    -----\nk      v');
});

test('section titles are centred in equal signs sized to the table', () => {
  assert.equal(padEqualSigns('Secret Path', 'secret/data/creds'.length), '== Secret Path ==');
  assert.equal(headerFor('Data', { foo: 1 }), '=== Data ===');
  assert.equal(headerFor('Metadata', { custom_metadata: 1 }), '======= Metadata =======');
  assert.equal(padEqualSigns('Long title', 3), '== Long title ==');
});

test('a secret\'s rows: refresh interval, auth block, then sorted data with durations humanised', () => {
  const rows = secretPairs({ lease_duration: 2764800, data: { b: 'x', a: 'y', ttl: 60 } });
  assert.deepEqual(rows, [['refresh_interval', '768h'], ['a', 'y'], ['b', 'x'], ['ttl', '1m']]);
  const auth = secretPairs({ auth: { client_token: 't', accessor: 'acc', lease_duration: 0, renewable: false, policies: ['root'] } });
  assert.deepEqual(auth.slice(0, 3), [['token', 't'], ['token_accessor', 'acc'], ['token_duration', '∞']]);
});
