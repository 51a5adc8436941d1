// How records appear on the wire: timestamps as epoch seconds (JSON numbers), members
// without a value omitted.
import { stagesByVersion } from '../labels.js';
import type { SecretRecord } from '../model.js';
import { shownRules } from '../rotation/schedule.js';

/** Epoch seconds, with milliseconds as a fraction, as AWS sends them. */
export const seconds = (ms: number) => ms / 1000;

/** A version's labels; a deprecated version (none) has no VersionStages (the model's list has 1–20). */
export const stagesOf = (stages: string[]) => (stages.length > 0 ? { VersionStages: [...stages] } : {});

/**
 * Rotation members, once rotation was ever configured. While a rotation is pending (or
 * failing) NextRotationDate is the time it fell due, so a failure shows as a date in the past.
 */
function rotationMembers(record: SecretRecord) {
  const r = record.rotation;
  if (!r) return {};
  const next = r.enabled ? r.pending?.due ?? r.next : undefined;
  return {
    RotationEnabled: r.enabled,
    ...(r.lambdaArn !== undefined ? { RotationLambdaARN: r.lambdaArn } : {}),
    ...(r.rules !== undefined ? { RotationRules: shownRules(r.rules) } : {}),
    ...(r.lastRotated !== undefined ? { LastRotatedDate: seconds(r.lastRotated) } : {}),
    ...(next !== undefined ? { NextRotationDate: seconds(next) } : {}),
  };
}

/** The metadata DescribeSecret and ListSecrets share. */
export function secretMetadata(record: SecretRecord) {
  return {
    ARN: record.arn,
    Name: record.name,
    ...(record.description !== undefined ? { Description: record.description } : {}),
    ...(record.kmsKeyId !== undefined ? { KmsKeyId: record.kmsKeyId } : {}),
    ...rotationMembers(record),
    LastChangedDate: seconds(record.lastChanged),
    ...(record.lastAccessed !== undefined ? { LastAccessedDate: seconds(record.lastAccessed) } : {}),
    ...(record.deleted !== undefined ? { DeletedDate: seconds(record.deleted) } : {}),
    ...(record.tags.length > 0 ? { Tags: record.tags } : {}),
    CreatedDate: seconds(record.created),
  };
}

/** The labelled versions under `member`; a secret without any (no value yet) has no such member. */
function stagesMember(record: SecretRecord, member: 'VersionIdsToStages' | 'SecretVersionsToStages') {
  const stages = stagesByVersion(record);
  return Object.keys(stages).length > 0 ? { [member]: stages } : {};
}

export const describe = (record: SecretRecord) => ({ ...secretMetadata(record), ...stagesMember(record, 'VersionIdsToStages') });
export const listEntry = (record: SecretRecord) => ({ ...secretMetadata(record), ...stagesMember(record, 'SecretVersionsToStages') });
