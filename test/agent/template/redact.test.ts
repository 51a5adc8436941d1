import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LosslessNumber } from 'lossless-json';
import { GoStruct } from '../../../src/agent/gotemplate/index.js';
import { redactSecrets, SECRET_FIELDS, type Fetched } from '../../../src/agent/template/secrets.js';

const fetched = (data: unknown, auth: unknown = null): Fetched => ({
  value: new GoStruct('*dependency.Secret', SECRET_FIELDS, { Data: data, Auth: auth }), leaseId: '', leaseDurationMs: 0, renewable: false, fetchedAt: 0, data: {},
});

test('values of fetched secrets are taken out of a template error; short strings and other text stay', () => {
  const secrets = [
    fetched({ data: { password: 's3cr3t-pw', user: 'app', nested: ['tok-en-1'], pin: new LosslessNumber('987654') } }),
    fetched({}, { client_token: 'hvs.abcdef' }),
  ];
  const msg = 'executing "" at <parseInt>: parsing "s3cr3t-pw": invalid syntax; tok-en-1 hvs.abcdef 987654 app';
  assert.equal(redactSecrets(msg, secrets), 'executing "" at <parseInt>: parsing "[redacted]": invalid syntax; [redacted] [redacted] [redacted] app');
  assert.equal(redactSecrets('nothing here', []), 'nothing here');
});
