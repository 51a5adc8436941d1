// The known-answer vectors from the issue, and the parts of the header parser that refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignature, parseAuthorization, sha256Hex } from '../../../src/auth/sigv4/signature.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const BODY = '{"SecretId": "prod/db"}';
const HEADERS = {
  'content-type': 'application/x-amz-json-1.1', host: '127.0.0.1:8200', 'content-length': '23',
  'x-amz-target': 'secretsmanager.GetSecretValue', 'x-amz-date': '20261125T120000Z',
};

function sign(signedHeaders: string, headers: Record<string, string> = HEADERS, body = BODY) {
  const auth = parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/us-east-1/secretsmanager/aws4_request, SignedHeaders=${signedHeaders}, Signature=${'0'.repeat(64)}`);
  return computeSignature(SECRET, auth, '20261125T120000Z', { method: 'POST', rawPath: '/', rawQuery: '', headers, bodySha256: sha256Hex(body) });
}

test('the four headers boto3 signs give the known signature', () => {
  assert.equal(sign('content-type;host;x-amz-date;x-amz-target'), '8af225cf20e2e70a5dcfc4ba9177832a787a3bcb4262c6301aeedd95cc80c20e');
});

test('signing content-length as well gives the second known signature', () => {
  assert.equal(sign('content-length;content-type;host;x-amz-date;x-amz-target'), '8da8a6fd6622923deba91dcc128ca8d92971ab4b22bd4aa3f018756988e754cd');
});

test('a changed body, header value or host port changes the signature', () => {
  const base = sign('content-type;host;x-amz-date;x-amz-target');
  assert.notEqual(sign('content-type;host;x-amz-date;x-amz-target', HEADERS, '{"SecretId": "prod/dc"}'), base);
  assert.notEqual(sign('content-type;host;x-amz-date;x-amz-target', { ...HEADERS, 'x-amz-target': 'secretsmanager.DeleteSecret' }), base);
  assert.notEqual(sign('content-type;host;x-amz-date;x-amz-target', { ...HEADERS, host: '127.0.0.1:8201' }), base);
});

test('header values are trimmed and inner spaces folded, as AWS canonicalises them', () => {
  assert.equal(sign('content-type;host;x-amz-date;x-amz-target', { ...HEADERS, 'content-type': '  application/x-amz-json-1.1 ' }),
    '8af225cf20e2e70a5dcfc4ba9177832a787a3bcb4262c6301aeedd95cc80c20e');
});

test('an incomplete header is IncompleteSignatureException', () => {
  for (const header of ['AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/secretsmanager/aws4_request', 'Basic abc',
    `AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/secretsmanager, SignedHeaders=host, Signature=${'a'.repeat(64)}`]) {
    assert.throws(() => parseAuthorization(header), (err: { code?: string }) => err.code === 'IncompleteSignatureException', header);
  }
});
