// PostgreSQL keyword/value connection strings, read as libpq reads them and rewritten as URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordsToUrl, parseKeywords } from '../../../src/engines/database/pg-keywords.js';
import { redactUrl } from '../../../src/engines/database/url-password.js';

test('values may be bare or quoted, with backslash escapes and spaces around =', () => {
  assert.deepEqual([...parseKeywords(`host = db  port=5433 password='it\\'s a pw' application_name=a\\ b`)], [
    ['host', 'db'], ['port', '5433'], ['password', "it's a pw"], ['application_name', 'a b'],
  ]);
  assert.throws(() => parseKeywords("host=db password='unterminated"), { name: 'BadRequest' });
});

test('the URL keeps the templates for filling and escapes literal values', () => {
  assert.equal(
    keywordsToUrl('host=127.0.0.1 port=5432 user={{username}} password={{password}} dbname=my\\ db sslmode=disable'),
    'postgresql://{{username}}:{{password}}@127.0.0.1:5432/my%20db?sslmode=disable',
  );
  assert.equal(keywordsToUrl('host=/run/postgresql user=app'), 'postgresql://app@/?host=%2Frun%2Fpostgresql');
});

test('a literal password in a keyword/value string is redacted; a template is not', () => {
  assert.equal(redactUrl("host=db password='s3 cret' user=app"), 'host=db password=xxxxx user=app');
  assert.equal(redactUrl('host=db password={{password}}'), 'host=db password={{password}}');
});
