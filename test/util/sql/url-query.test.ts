// Query pairs removed on the raw URL text: everything else stays as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryParams, withoutParams } from '../../../src/util/sql/url-query.js';

test('removing pairs keeps the others byte for byte, templates included', () => {
  const url = 'postgresql://h/db?user={{username}}&sslmode=require&password={{ password }}&sslinline=true&x=a%20b';
  assert.equal(withoutParams(url, ['sslmode', 'sslinline']), 'postgresql://h/db?user={{username}}&password={{ password }}&x=a%20b');
  assert.equal(withoutParams('postgresql://h/db?sslmode=disable', ['sslmode']), 'postgresql://h/db');
  assert.equal(withoutParams('postgresql://h/db', ['sslmode']), 'postgresql://h/db');
  assert.equal(withoutParams('postgresql://h/db?ssl%6Dode=disable&a=1', ['sslmode']), 'postgresql://h/db?a=1');
  assert.equal(queryParams('postgresql://h/db?sslkey=a%2Bb').get('sslkey'), 'a+b');
});
