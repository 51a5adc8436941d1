// Staging labels: each lives on at most one version; AWSCURRENT, once any version exists, on
// exactly one; moving AWSCURRENT leaves AWSPREVIOUS on the version it left. Versions no label
// points at are "deprecated": hidden by default and pruned once there are too many.
import { AwsError } from '../../util/aws-error.js';
import { invalidParameter, invalidRequest, versionNotFound } from './errors.js';
import type { SecretRecord } from './model.js';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';

/** AWS keeps at most this many versions of a secret. */
export const MAX_VERSIONS = 100;
/** Only versions older than this may be pruned. */
const PRUNE_AGE_MS = 24 * 3600_000;

/** The version id holding `stage`, if any. */
export function versionWith(record: SecretRecord, stage: string): string | undefined {
  return record.order.find((id) => record.versions[id]!.stages.includes(stage));
}

function removeStage(record: SecretRecord, stage: string): void {
  for (const id of record.order) {
    const v = record.versions[id]!;
    v.stages = v.stages.filter((s) => s !== stage);
  }
}

/** Puts `stage` on `id`, taking it from wherever it was; AWSCURRENT leaves AWSPREVIOUS behind. */
export function moveStage(record: SecretRecord, stage: string, id: string): void {
  const from = versionWith(record, stage);
  if (from === id) return;
  removeStage(record, stage);
  record.versions[id]!.stages.push(stage);
  if (stage === CURRENT && from !== undefined) moveStage(record, PREVIOUS, from);
}

/** Adds a new version labelled `stages` (the first version always becomes AWSCURRENT). */
export function addVersion(record: SecretRecord, id: string, stages: string[], now: number, noValue = false): void {
  record.versions[id] = { created: now, stages: [], ...(noValue ? { noValue: true as const } : {}) };
  record.order.push(id);
  const labels = versionWith(record, CURRENT) === undefined && !stages.includes(CURRENT) ? [...stages, CURRENT] : stages;
  for (const stage of labels) moveStage(record, stage, id);
}

/** Drops the oldest unlabelled versions older than a day while there are more than the limit. */
export function prunableVersions(record: SecretRecord, now: number, extra: number): string[] {
  let excess = record.order.length + extra - MAX_VERSIONS;
  const out: string[] = [];
  for (const id of record.order) {
    if (excess <= 0) break;
    const v = record.versions[id]!;
    if (v.stages.length === 0 && now - v.created > PRUNE_AGE_MS) {
      out.push(id);
      excess--;
    }
  }
  if (excess > 0) {
    throw new AwsError('LimitExceededException', `You can't create more than ${MAX_VERSIONS} versions of a secret; no version is old enough to be deleted.`);
  }
  return out;
}

/** Removes pruned versions from the record (the caller deletes their values). */
export function dropVersions(record: SecretRecord, ids: string[]): void {
  for (const id of ids) delete record.versions[id];
  record.order = record.order.filter((id) => !ids.includes(id));
}

/** Labels by version id, for the versions that carry any (AWS's VersionIdsToStages). */
export function stagesByVersion(record: SecretRecord): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of record.order) {
    const stages = record.versions[id]!.stages;
    if (stages.length > 0) out[id] = [...stages];
  }
  return out;
}

/** UpdateSecretVersionStage's rules: RemoveFromVersionId must name where the label is. */
export function updateStage(record: SecretRecord, stage: string, removeFrom: string | undefined, moveTo: string | undefined): void {
  const holder = versionWith(record, stage);
  if (moveTo !== undefined && !record.versions[moveTo]) throw versionNotFound(`VersionId: ${moveTo}`);
  if (removeFrom !== undefined && !record.versions[removeFrom]) throw versionNotFound(`VersionId: ${removeFrom}`);
  if (removeFrom !== undefined && holder !== removeFrom) {
    throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
  }
  if (moveTo !== undefined) {
    if (holder !== undefined && holder !== moveTo && removeFrom === undefined) {
      throw invalidParameter(`The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`);
    }
    moveStage(record, stage, moveTo);
    return;
  }
  if (removeFrom === undefined) return;
  // AWS's own text (with its typographic apostrophe), as clients such as Terraform quote it.
  if (stage === CURRENT) throw invalidParameter(`You can only move staging label ${CURRENT} to a different secret version. It can’t be completely removed.`);
  removeStage(record, stage);
}
