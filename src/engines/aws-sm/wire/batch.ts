// BatchGetSecretValue: either a list of ids or filters (then paged, at most 20 a page), each
// secret read as its own GetSecretValue so each gets its own ACL check; a failure lands in
// `Errors` for that secret only.
import { AwsError } from '../../../util/aws-error.js';
import { invalidParameter } from '../errors.js';
import { optInt, optString, optStrings, type Input } from '../members.js';
import { aclNameOf } from '../model.js';
import { pageListing } from '../actions/list.js';
import type { Operation } from '../../../core/request.js';

/** Runs one engine request for an AWS call, with the caller's ACL (translate.ts builds it). */
export type Runner = (operation: Operation, path: string, input: Record<string, unknown>, action: string) => Promise<Record<string, unknown>>;

/** Answers one BatchGetSecretValue. */
export async function batchGet(run: Runner, input: Input) {
  const ids = optStrings(input, 'SecretIdList', { min: 1, max: 20 }, { min: 1, max: 2048 });
  const filters = input.Filters;
  const max = optInt(input, 'MaxResults', { min: 1, max: 20 });
  optString(input, 'NextToken', { min: 1, max: 4096 });
  if ((ids === undefined) === (filters === undefined || filters === null)) {
    throw invalidParameter('Either SecretIdList or Filters must be specified, but not both.');
  }
  if (ids !== undefined && (max !== undefined || input.NextToken != null)) {
    throw invalidParameter('MaxResults and NextToken can be used only with Filters.');
  }
  let names = ids;
  let nextToken: string | undefined;
  if (names === undefined) {
    const listing = await run('list', 'metadata/', { Filters: filters }, 'BatchGetSecretValue');
    const all = (listing.SecretList as Array<{ Name: string }>).map((s) => s.Name);
    const page = pageListing(all, { Filters: filters, MaxResults: max ?? 20, NextToken: input.NextToken });
    names = page.SecretList;
    nextToken = page.NextToken;
  }
  const SecretValues: unknown[] = [];
  const Errors: unknown[] = [];
  for (const id of names) {
    try {
      SecretValues.push(await run('read', `data/${aclNameOf(id)}`, { SecretId: id }, 'GetSecretValue'));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      Errors.push({ SecretId: id, ErrorCode: err.code, Message: err.message });
    }
  }
  return { SecretValues, ...(nextToken ? { NextToken: nextToken } : {}), Errors };
}
