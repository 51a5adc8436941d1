// AWS Signature Version 4 over one HTTP request: parse the Authorization header, rebuild the
// canonical request from what was received, and compute the signature a key would give it.
// Pure functions (node:crypto HMAC and SHA-256 only), so the known-answer vectors test them.
import { createHash, createHmac } from 'node:crypto';
import { AwsError } from '../../util/aws-error.js';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header. */
export type SignedAuthorization = {
  accessKeyId: string;
  /** Scope date, yyyymmdd. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
};

/** What was received: the signature is checked over exactly this. */
export type ReceivedRequest = {
  method: string;
  /** The path as it came on the request line, before any decoding. */
  rawPath: string;
  rawQuery: string;
  /** Header names in lower case, as Node hands them over. */
  headers: Record<string, string | string[] | undefined>;
  /** Hex SHA-256 of the body bytes. */
  bodySha256: string;
};

const ALGORITHM = 'AWS4-HMAC-SHA256';

const incomplete = (message: string) => new AwsError('IncompleteSignatureException', message);

/** Parses the header; anything that is not a complete SigV4 header is IncompleteSignature. */
export function parseAuthorization(header: string): SignedAuthorization {
  if (!header.startsWith(`${ALGORITHM} `)) throw incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header.split(' ')[0] ?? ''}`);
  const parts = new Map<string, string>();
  for (const piece of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signed = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  const missing = [['Credential', credential], ['Signature', signature], ['SignedHeaders', signed]]
    .filter(([, v]) => v === undefined).map(([k]) => `Authorization header requires '${k}' parameter.`);
  if (missing.length > 0) throw incomplete(missing.join(' '));
  const scope = credential!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!)) {
    throw incomplete(`Credential should be scoped to correct service: 'secretsmanager'. `.trimEnd());
  }
  if (!/^[0-9a-f]{64}$/.test(signature!)) throw incomplete('Signature must be 64 lowercase hex characters.');
  return {
    accessKeyId: scope[0]!, date: scope[1]!, region: scope[2]!, service: scope[3]!,
    signedHeaders: signed!.split(';'), signature: signature!,
  };
}

/** AWS's URI encoding: every byte but unreserved characters as %XX, upper-case hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Services other than S3 encode each path segment once more on top of the client's encoding. */
function canonicalPath(rawPath: string): string {
  return rawPath.split('/').map(uriEncode).join('/') || '/';
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const [k, v] = eq === -1 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [uriEncode(decode(k)), uriEncode(decode(v))] as const;
  });
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A header's canonical value: repeated headers joined by commas, spaces trimmed and folded. */
function headerValue(value: string | string[] | undefined): string {
  const values = Array.isArray(value) ? value : [value ?? ''];
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** The canonical request AWS hashes into the string to sign. */
export function canonicalRequest(req: ReceivedRequest, signedHeaders: string[]): string {
  const headers = signedHeaders.map((name) => `${name}:${headerValue(req.headers[name])}\n`).join('');
  return [req.method, canonicalPath(req.rawPath), canonicalQuery(req.rawQuery), headers, signedHeaders.join(';'), req.bodySha256].join('\n');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** Hex SHA-256. */
export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The signature a secret key gives this request under the header's scope. */
export function computeSignature(secretKey: string, auth: SignedAuthorization, amzDate: string, req: ReceivedRequest): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest(req, auth.signedHeaders))].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, auth.date), auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}
