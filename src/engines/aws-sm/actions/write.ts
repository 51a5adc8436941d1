// CreateSecret, PutSecretValue and UpdateSecret: new versions with AWS's idempotency rule
// (the token is the version id; the same token with the same value changes nothing).
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../util/aws-error.js';
import { alreadyExists, invalidParameter, markedForDeletion, needToken, scheduledForDeletion, secretNotFound } from '../errors.js';
import { addVersion, CURRENT, dropVersions, moveStage, prunableVersions, versionWith } from '../labels.js';
import { scheduleAfter } from '../rotation/runner.js';
import { optStrings, optString, requestToken, secretId, secretName, type Input } from '../members.js';
import { findSecret, newArn, newUid, type EngineConfig, type SecretRecord, type SecretValue, type Store } from '../model.js';
import { kmsKeyOf, refuseReplicas, sameValue, tagsOf, valueOf } from '../value.js';
import { seconds, stagesOf } from './render.js';

/**
 * A new AWSCURRENT written by hand counts as a rotation for AutomaticallyAfterDays (AWS's
 * rule): the next one is due that many days later.
 */
function noteRotation(record: SecretRecord, token: string, now: number): void {
  const r = record.rotation;
  if (!r?.enabled || r.pending || r.rules?.AutomaticallyAfterDays === undefined || versionWith(record, CURRENT) !== token) return;
  record.rotation = scheduleAfter({ ...r, lastRotated: now }, now);
}

/** What a write action is given. */
export type WriteContext = { st: Store; input: Input; now: number; config: EngineConfig };

/** The token a value needs; SDKs fill one in, a raw request must send it. */
function tokenFor(input: Input, value: SecretValue | undefined): string | undefined {
  const token = requestToken(input);
  if (value !== undefined && token === undefined) throw needToken();
  return token;
}

/**
 * Writes `value` as version `token` labelled `stages`, unless that version exists: then the
 * same value is an idempotent retry and a different one is refused.
 */
async function writeVersion(st: Store, record: SecretRecord, token: string, value: SecretValue, stages: string[], now: number): Promise<boolean> {
  const existing = record.versions[token];
  if (existing?.noValue) {
    // The version RotateSecret made: a rotation function's createSecret gives it its value.
    await st.putValue(record, token, value);
    delete existing.noValue;
    for (const stage of stages) moveStage(record, stage, token);
    record.lastChanged = now;
    return true;
  }
  if (existing) {
    if (sameValue(await st.value(record, token), value)) return false;
    throw new AwsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
  }
  const pruned = prunableVersions(record, now, 1);
  await st.putValue(record, token, value);
  addVersion(record, token, stages, now);
  for (const id of pruned) await st.deleteValue(record, id);
  dropVersions(record, pruned);
  noteRotation(record, token, now);
  record.lastChanged = now;
  return true;
}

export async function createSecret({ st, input, now, config }: WriteContext) {
  const name = secretName(input);
  const value = valueOf(input);
  const token = tokenFor(input, value);
  const description = optString(input, 'Description', { max: 2048 });
  const kmsKeyId = kmsKeyOf(input);
  const tags = tagsOf(input) ?? [];
  refuseReplicas(input);
  const existing = await st.secret(name);
  if (existing?.deleted !== undefined) throw scheduledForDeletion();
  if (existing) {
    // A retry of the same create is a success that changes nothing.
    if (token !== undefined && value !== undefined && existing.versions[token] && sameValue(await st.value(existing, token), value)) {
      return { ARN: existing.arn, Name: name, VersionId: token };
    }
    throw alreadyExists(name);
  }
  const record: SecretRecord = {
    name, arn: newArn(config, name), uid: newUid(), tags, created: now, lastChanged: now, order: [], versions: {},
    ...(description !== undefined ? { description } : {}), ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
  };
  if (value !== undefined) await writeVersion(st, record, token!, value, [CURRENT], now);
  await st.putSecret(record);
  return { ARN: record.arn, Name: name, ...(value !== undefined ? { VersionId: token } : {}) };
}

/** The secret a write targets: it must exist and not be pending deletion. */
export async function liveSecret(st: Store, input: Input): Promise<SecretRecord> {
  const record = await findSecret(st, secretId(input));
  if (!record) throw secretNotFound();
  if (record.deleted !== undefined) throw markedForDeletion();
  return record;
}

export async function putSecretValue({ st, input, now }: WriteContext) {
  const value = valueOf(input);
  if (value === undefined) throw invalidParameter('You must provide either SecretString or SecretBinary.');
  const token = tokenFor(input, value)!;
  const stages = optStrings(input, 'VersionStages', { min: 1, max: 20 }, { min: 1, max: 256 });
  optString(input, 'RotationToken', { min: 36, max: 256, sensitive: true });
  const record = await liveSecret(st, input);
  if (await writeVersion(st, record, token, value, stages ?? [CURRENT], now)) await st.putSecret(record);
  return { ARN: record.arn, Name: record.name, VersionId: token, ...stagesOf(record.versions[token]!.stages) };
}

export async function updateSecret({ st, input, now }: WriteContext) {
  const value = valueOf(input);
  const token = tokenFor(input, value);
  const description = optString(input, 'Description', { max: 2048 });
  const kmsKeyId = kmsKeyOf(input);
  const record = await liveSecret(st, input);
  if (description !== undefined) record.description = description;
  if ('KmsKeyId' in input) {
    if (kmsKeyId === undefined) delete record.kmsKeyId;
    else record.kmsKeyId = kmsKeyId;
  }
  if (value !== undefined) await writeVersion(st, record, token ?? randomUUID(), value, [CURRENT], now);
  record.lastChanged = now;
  await st.putSecret(record);
  return { ARN: record.arn, Name: record.name, ...(value !== undefined ? { VersionId: token } : {}) };
}
