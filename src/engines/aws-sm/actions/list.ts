// ListSecrets: AWS's filters (prefix matches, `!` negation, OR within a filter, AND across
// filters), sorting and paging. BatchGetSecretValue's filter form uses the same matcher.
import { AwsError } from '../../../util/aws-error.js';
import { invalidParameter } from '../errors.js';
import { optBool, optInt, optList, optObject, optString, reqString, type Input } from '../members.js';
import type { SecretRecord, Store } from '../model.js';
import { pageOf } from './paging.js';
import { listEntry } from './render.js';

/** One filter: a key and the values any of which may match. */
export type Filter = { Key: string; Values: string[] };

const KEYS = new Set(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']);
const VALUE = /^!?[a-zA-Z0-9 :_@/+=.!-]*$/;

/** Reads `Filters` (at most 10, each with 1–10 values). */
export function filtersOf(input: Input): Filter[] | undefined {
  return optList(input, 'Filters', { max: 10 }, (raw) => {
    const f = optObject(raw, 'Filters');
    const Key = reqString(f, 'Key');
    if (!KEYS.has(Key)) throw validation(`1 validation error detected: Value '${Key}' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]`);
    const Values = optList(f, 'Values', { min: 1, max: 10 }, (v) => {
      if (typeof v !== 'string') throw new AwsError('SerializationException', 'Expected a string in Filters.Values.');
      if (v.length < 1 || v.length > 512 || !VALUE.test(v)) throw invalidParameter('Invalid filter value.');
      return v;
    }) ?? [];
    if (Values.length === 0) throw invalidParameter('A filter needs at least one value.');
    return { Key, Values };
  });
}

const validation = (message: string) => new AwsError('ValidationException', message);
const startsWith = (text: string | undefined, prefix: string) => text !== undefined && text.startsWith(prefix);
/**
 * The words AWS's free search sees: runs of letters or digits, split again where a lower-case
 * letter meets an upper-case one or a letter meets a digit ("credsDatabase#892" is creds,
 * database, 892), compared without case.
 */
const words = (text: string) =>
  text.split(/[^A-Za-z0-9]+/)
    .flatMap((run) => run.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/))
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());

/** Whether one (non-negated) value matches the secret under the filter's key. */
function matchesValue(record: SecretRecord, key: string, value: string, region: string): boolean {
  switch (key) {
    case 'name': return startsWith(record.name, value);
    case 'description': return startsWith(record.description?.toLowerCase(), value.toLowerCase());
    case 'tag-key': return record.tags.some((t) => startsWith(t.Key, value));
    case 'tag-value': return record.tags.some((t) => startsWith(t.Value, value));
    case 'primary-region': return startsWith(region, value);
    case 'owning-service': return false; // no secret here is managed by another service
    default: {
      // `all`: any word of the value that starts a word of the name, description or a tag.
      const attributes = [record.name, record.description ?? '', ...record.tags.flatMap((t) => [t.Key, t.Value])];
      const wanted = words(value);
      if (wanted.length === 0) return attributes.some((a) => a.toLowerCase().startsWith(value.toLowerCase()));
      const present = attributes.flatMap(words);
      return wanted.some((w) => present.some((p) => p.startsWith(w)));
    }
  }
}

/** Values OR within a filter; a leading `!` negates a value; filters AND. */
export function matchesFilters(record: SecretRecord, filters: Filter[], region: string): boolean {
  return filters.every((f) => f.Values.some((v) => (v.startsWith('!') ? !matchesValue(record, f.Key, v.slice(1), region) : matchesValue(record, f.Key, v, region))));
}

const SORT_KEYS: Record<string, (r: SecretRecord) => number | string> = {
  'created-date': (r) => r.created,
  'last-accessed-date': (r) => r.lastAccessed ?? 0,
  'last-changed-date': (r) => r.lastChanged,
  name: (r) => r.name,
};

/** Secrets matching the request's filters, sorted as asked (creation order by default). */
export async function matchingSecrets(st: Store, input: Input, region: string, includeDeleted: boolean): Promise<SecretRecord[]> {
  const filters = filtersOf(input) ?? [];
  const order = optString(input, 'SortOrder');
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw validation(`1 validation error detected: Value '${order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`);
  const by = optString(input, 'SortBy') ?? 'created-date';
  const sortKey = SORT_KEYS[by];
  if (!sortKey) throw validation(`1 validation error detected: Value '${by}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, last-changed-date, name]`);
  const all = (await st.allSecrets()).filter((r) => (includeDeleted || r.deleted === undefined) && matchesFilters(r, filters, region));
  const sign = order === 'desc' ? -1 : 1;
  return all.sort((a, b) => {
    const [x, y] = [sortKey(a), sortKey(b)];
    return x === y ? (a.name < b.name ? -sign : sign) : x < y ? -sign : sign;
  });
}

/**
 * ListSecrets, every matching secret: the wire translator drops the ones the caller may not
 * read and then pages (`pageListing`), so pages stay full.
 */
export async function listSecrets(st: Store, input: Input, region: string) {
  optInt(input, 'MaxResults', { min: 1, max: 100 });
  optString(input, 'NextToken', { min: 1, max: 4096 });
  const includeDeleted = optBool(input, 'IncludePlannedDeletion') ?? false;
  return { SecretList: (await matchingSecrets(st, input, region, includeDeleted)).map(listEntry) };
}

/** One page of a ListSecrets answer, as the request's MaxResults and NextToken ask. */
export function pageListing<T>(list: T[], input: Input) {
  const query = JSON.stringify([input.Filters ?? null, input.SortOrder ?? null, input.SortBy ?? null, input.IncludePlannedDeletion ?? false]);
  const page = pageOf(list, typeof input.MaxResults === 'number' ? input.MaxResults : 100, input.NextToken as string | undefined, query);
  return { SecretList: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}
