// The conformance table: each row is a template, its data and Go's output or error text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { outcome, type Row } from './helpers.js';

const file = new URL('../../../../test/agent/gotemplate/conformance.json', import.meta.url);
const rows = JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[] };

test('the table has at least 200 rows', () => {
  assert.ok(rows.rows.length >= 200, `${rows.rows.length} rows`);
});

for (const [i, row] of rows.rows.entries()) {
  test(`row ${i}: ${row.note ?? row.t}`, () => {
    const want = row.err !== undefined ? 'ERR ' + row.err : row.out;
    assert.equal(outcome(row), want);
  });
}
