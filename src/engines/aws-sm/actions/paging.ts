// NextToken for listings: the offset of the next item and a digest of the query it belongs
// to, so a token from another query (or not one of ours) is InvalidNextTokenException.
import { createHash } from 'node:crypto';
import { AwsError } from '../../../util/aws-error.js';

const digest = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 16);
const invalidToken = () => new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');

/** One page of `items` from the position `token` names. */
export function pageOf<T>(items: T[], max: number, token: string | undefined, query: string): { items: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const m = /^(\d+)\.([A-Za-z0-9_-]{16})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m || m[2] !== digest(query) || Number(m[1]) > items.length) throw invalidToken();
    start = Number(m[1]);
  }
  const end = start + max;
  const page = items.slice(start, end);
  return end < items.length ? { items: page, nextToken: Buffer.from(`${end}.${digest(query)}`).toString('base64url') } : { items: page };
}
