// GetSecretValue, DescribeSecret and ListSecretVersionIds.
import { invalidRequest, markedForDeletion, secretNotFound, versionNotFound } from '../errors.js';
import { CURRENT } from '../labels.js';
import { optBool, optInt, optString, secretId, versionId, type Input } from '../members.js';
import { findSecret, type SecretRecord, type Store } from '../model.js';
import { describe, seconds, stagesOf } from './render.js';
import { pageOf } from './paging.js';

const DAY_MS = 86_400_000;
/** How ListSecretVersionIds names the default key (aws/secretsmanager), the only one here. */
const DEFAULT_KEY_ID = 'DefaultEncryptionKey';

/** The secret a read targets (pending deletion is still found). */
export async function existingSecret(st: Store, input: Input): Promise<SecretRecord> {
  const record = await findSecret(st, secretId(input));
  if (!record) throw secretNotFound();
  return record;
}

/** The version VersionId / VersionStage select (AWSCURRENT when neither is given). */
function selectVersion(record: SecretRecord, id: string | undefined, stage: string | undefined): string {
  if (id !== undefined) {
    const v = record.versions[id];
    if (!v || v.noValue) throw versionNotFound(`VersionId: ${id}`);
    if (stage !== undefined && !v.stages.includes(stage)) throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    return id;
  }
  const label = stage ?? CURRENT;
  const found = record.order.find((vid) => record.versions[vid]!.stages.includes(label));
  if (found === undefined || record.versions[found]!.noValue) throw versionNotFound(`staging label: ${label}`);
  return found;
}

export async function getSecretValue(st: Store, input: Input, now: number) {
  const id = versionId(input, 'VersionId');
  const stage = optString(input, 'VersionStage', { min: 1, max: 256 });
  const record = await existingSecret(st, input);
  if (record.deleted !== undefined) throw markedForDeletion();
  const chosen = selectVersion(record, id, stage);
  const value = await st.value(record, chosen);
  if (!value) throw versionNotFound(`VersionId: ${chosen}`);
  // Day resolution, for the secret and for the version read: the first read of a day writes,
  // the others do not.
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const version = record.versions[chosen]!;
  if (record.lastAccessed !== today || version.lastAccessed !== today) {
    await st.putSecret({ ...record, lastAccessed: today, versions: { ...record.versions, [chosen]: { ...version, lastAccessed: today } } });
  }
  return { ARN: record.arn, Name: record.name, VersionId: chosen, ...value, ...stagesOf(version.stages), CreatedDate: seconds(version.created) };
}

export async function describeSecret(st: Store, input: Input) {
  return describe(await existingSecret(st, input));
}

export async function listSecretVersionIds(st: Store, input: Input) {
  const max = optInt(input, 'MaxResults', { min: 1, max: 100 });
  const next = optString(input, 'NextToken', { min: 1, max: 4096 });
  const includeDeprecated = optBool(input, 'IncludeDeprecated') ?? false;
  const record = await existingSecret(st, input);
  const versions = record.order
    .filter((id) => includeDeprecated || record.versions[id]!.stages.length > 0)
    .map((id) => {
      const v = record.versions[id]!;
      return {
        VersionId: id,
        ...stagesOf(v.stages),
        ...(v.lastAccessed !== undefined ? { LastAccessedDate: seconds(v.lastAccessed) } : {}),
        CreatedDate: seconds(v.created),
        KmsKeyIds: [record.kmsKeyId ?? DEFAULT_KEY_ID],
      };
    });
  const page = pageOf(versions, max ?? 100, next, `versions:${record.arn}:${includeDeprecated}`);
  return { Versions: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}), ARN: record.arn, Name: record.name };
}
