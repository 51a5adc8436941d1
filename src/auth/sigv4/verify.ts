// Checks one signed request against the stored key: scope, clock skew, signed headers, the
// session token of a temporary key, then the signature in constant time.
import { timingSafeEqual } from 'node:crypto';
import { AwsError } from '../../util/aws-error.js';
import { computeSignature, parseAuthorization, sha256Hex, type ReceivedRequest } from './signature.js';
import type { AccessKey } from './store.js';

/** AWS accepts a signature whose X-Amz-Date is within five minutes of its clock. */
export const MAX_SKEW_MS = 5 * 60_000;

const SERVICE = 'secretsmanager';

const invalidToken = () => new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
const signatureMismatch = () => new AwsError('InvalidSignatureException',
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');

const header = (req: ReceivedRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** `20261125T120000Z` from epoch milliseconds. */
export const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** The header's access key id and scope; checked before any key is looked up. */
export function checkScope(req: ReceivedRequest, region: string, now: number) {
  const raw = header(req, 'authorization');
  if (raw === undefined || raw === '') throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(raw);
  const dateText = header(req, 'x-amz-date');
  const at = dateText === undefined ? undefined : parseAmzDate(dateText);
  if (at === undefined) throw new AwsError('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (!auth.signedHeaders.includes('host')) throw new AwsError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (!auth.signedHeaders.includes('x-amz-date')) throw new AwsError('IncompleteSignatureException', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  if (auth.service !== SERVICE) throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${SERVICE}'.`);
  if (auth.region !== region) throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${auth.region}'.`);
  if (dateText!.slice(0, 8) !== auth.date) throw new AwsError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${dateText!.slice(0, 8)}', from '${dateText}'.`);
  if (at < now - MAX_SKEW_MS) {
    throw new AwsError('InvalidSignatureException', `Signature expired: ${dateText} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`);
  }
  if (at > now + MAX_SKEW_MS) {
    throw new AwsError('InvalidSignatureException', `Signature not yet current: ${dateText} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`);
  }
  return { auth, dateText: dateText! };
}

/** Verifies the request with `key` (undefined: unknown key); throws AWS's error when it fails. */
export function verifyWithKey(req: ReceivedRequest, scope: ReturnType<typeof checkScope>, key: AccessKey | undefined): void {
  if (!key) throw invalidToken();
  if (key.session_token_sha256 !== undefined) {
    const sent = header(req, 'x-amz-security-token');
    if (sent === undefined || !scope.auth.signedHeaders.includes('x-amz-security-token')) throw invalidToken();
    if (!equalHex(sha256Hex(sent), key.session_token_sha256)) throw invalidToken();
  }
  const expected = computeSignature(key.secret_access_key, scope.auth, scope.dateText, req);
  if (!equalHex(expected, scope.auth.signature)) throw signatureMismatch();
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
