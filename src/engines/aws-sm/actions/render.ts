// How records appear on the wire: timestamps as epoch seconds (JSON numbers), members
// without a value omitted.
import { stagesByVersion } from '../labels.js';
import type { SecretRecord } from '../model.js';

/** Epoch seconds, with milliseconds as a fraction, as AWS sends them. */
export const seconds = (ms: number) => ms / 1000;

/** The metadata DescribeSecret and ListSecrets share. */
export function secretMetadata(record: SecretRecord) {
  return {
    ARN: record.arn,
    Name: record.name,
    ...(record.description !== undefined ? { Description: record.description } : {}),
    ...(record.kmsKeyId !== undefined ? { KmsKeyId: record.kmsKeyId } : {}),
    LastChangedDate: seconds(record.lastChanged),
    ...(record.lastAccessed !== undefined ? { LastAccessedDate: seconds(record.lastAccessed) } : {}),
    ...(record.deleted !== undefined ? { DeletedDate: seconds(record.deleted) } : {}),
    ...(record.tags.length > 0 ? { Tags: record.tags } : {}),
    CreatedDate: seconds(record.created),
  };
}

export const describe = (record: SecretRecord) => ({ ...secretMetadata(record), VersionIdsToStages: stagesByVersion(record) });
export const listEntry = (record: SecretRecord) => ({ ...secretMetadata(record), SecretVersionsToStages: stagesByVersion(record) });
