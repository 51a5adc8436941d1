// DeleteSecret and RestoreSecret (the recovery window), tags, staging labels and resource
// policies: changes to a secret's metadata.
import { AwsError } from '../../../util/aws-error.js';
import { invalidParameter, markedForDeletion, secretNotFound } from '../errors.js';
import { updateStage } from '../labels.js';
import { optBool, optInt, optStrings, optString, reqString, secretId, versionId, type Input } from '../members.js';
import { findSecret, type SecretRecord, type Store } from '../model.js';
import { mergeTags, tagsOf } from '../value.js';
import { existingSecret } from './read.js';
import { seconds } from './render.js';
import { liveSecret } from './write.js';

const DAY_MS = 86_400_000;

export async function deleteSecret(st: Store, input: Input, now: number) {
  const id = secretId(input);
  const days = optInt(input, 'RecoveryWindowInDays', { min: -Infinity, max: Infinity });
  const force = optBool(input, 'ForceDeleteWithoutRecovery') ?? false;
  if (days !== undefined && force) throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  if (days !== undefined && (days < 7 || days > 30)) throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  const record = await findSecret(st, id);
  if (!record) {
    // AWS: forcing the deletion of a secret that is not there succeeds.
    if (force) return { Name: id, DeletionDate: seconds(now) };
    throw secretNotFound();
  }
  if (force) {
    await st.deleteSecret(record);
    return { ARN: record.arn, Name: record.name, DeletionDate: seconds(now) };
  }
  if (record.deleted !== undefined) throw markedForDeletion();
  const purgeAt = now + (days ?? 30) * DAY_MS;
  await st.putSecret({ ...record, deleted: now, purgeAt });
  return { ARN: record.arn, Name: record.name, DeletionDate: seconds(purgeAt) };
}

export async function restoreSecret(st: Store, input: Input) {
  const record = await existingSecret(st, input);
  const { deleted: _d, purgeAt: _p, ...restored } = record;
  if (record.deleted !== undefined) await st.putSecret(restored);
  return { ARN: record.arn, Name: record.name };
}

/** Secrets whose recovery window has passed are removed for good. */
export async function purgeExpired(st: Store, now: number): Promise<void> {
  for (const record of await st.allSecrets()) {
    if (record.purgeAt !== undefined && record.purgeAt <= now) await st.deleteSecret(record);
  }
}

export async function tagResource(st: Store, input: Input) {
  const tags = tagsOf(input);
  if (tags === undefined) throw new AwsError('ValidationException', "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
  const record = await liveSecret(st, input);
  const merged = mergeTags(record.tags, tags);
  if (merged.length > 50) throw invalidParameter('A secret can have at most 50 tags.');
  await st.putSecret({ ...record, tags: merged });
  return {};
}

export async function untagResource(st: Store, input: Input) {
  const keys = optStrings(input, 'TagKeys', { max: 200 }, { min: 1, max: 128 });
  if (keys === undefined) throw new AwsError('ValidationException', "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  const record = await liveSecret(st, input);
  await st.putSecret({ ...record, tags: record.tags.filter((t) => !keys.includes(t.Key)) });
  return {};
}

export async function updateSecretVersionStage(st: Store, input: Input, now: number) {
  const stage = reqString(input, 'VersionStage', { min: 1, max: 256 });
  const removeFrom = versionId(input, 'RemoveFromVersionId');
  const moveTo = versionId(input, 'MoveToVersionId');
  const record = await liveSecret(st, input);
  if (moveTo !== undefined && record.versions[moveTo] && !record.versions[moveTo]!.stages.includes(stage) && record.versions[moveTo]!.stages.length >= 20) {
    throw new AwsError('LimitExceededException', 'A version can have at most 20 staging labels.');
  }
  updateStage(record, stage, removeFrom, moveTo);
  await st.putSecret({ ...record, lastChanged: now });
  return { ARN: record.arn, Name: record.name };
}

/** The policy document, if it is a JSON object with statements; problems listed, not thrown. */
function policyProblems(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return ['The policy document is not valid JSON.'];
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['The policy document must be a JSON object.'];
  const statements = (doc as Record<string, unknown>).Statement;
  if (statements === undefined) return ['The policy document has no Statement.'];
  const list = Array.isArray(statements) ? statements : [statements];
  if (list.some((s) => typeof s !== 'object' || s === null || !('Effect' in s))) return ['Each statement needs an Effect.'];
  return [];
}

/** Whether a statement allows anyone at all (Principal "*" or {"AWS": "*"}). */
function grantsPublic(text: string): boolean {
  const doc = JSON.parse(text) as { Statement: unknown };
  const list = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<Record<string, unknown>>;
  const star = (p: unknown): boolean => p === '*' || (Array.isArray(p) && p.includes('*'));
  return list.some((s) => s.Effect === 'Allow' && (star(s.Principal) || (typeof s.Principal === 'object' && s.Principal !== null && star((s.Principal as Record<string, unknown>).AWS))));
}

export async function putResourcePolicy(st: Store, input: Input) {
  const policy = reqString(input, 'ResourcePolicy', { min: 1, max: 20480 });
  const block = optBool(input, 'BlockPublicPolicy') ?? false;
  const problems = policyProblems(policy);
  if (problems.length > 0) throw new AwsError('MalformedPolicyDocumentException', problems[0]!);
  if (block && grantsPublic(policy)) throw new AwsError('PublicPolicyException', 'The BlockPublicPolicy parameter is set, and the resource policy that you specified grants access to the secret to everyone.');
  const record = await liveSecret(st, input);
  await st.putSecret({ ...record, policy });
  return { ARN: record.arn, Name: record.name };
}

export async function getResourcePolicy(st: Store, input: Input) {
  // Refused while the secret is pending deletion, as on AWS (Terraform's provider skips such
  // secrets on that very InvalidRequestException).
  const record = await liveSecret(st, input);
  return { ARN: record.arn, Name: record.name, ...(record.policy !== undefined ? { ResourcePolicy: record.policy } : {}) };
}

export async function deleteResourcePolicy(st: Store, input: Input) {
  const record: SecretRecord = await liveSecret(st, input);
  const { policy: _p, ...rest } = record;
  await st.putSecret(rest);
  return { ARN: record.arn, Name: record.name };
}

export async function validateResourcePolicy(st: Store, input: Input) {
  const policy = reqString(input, 'ResourcePolicy', { min: 1, max: 20480 });
  if (optString(input, 'SecretId') !== undefined && !(await findSecret(st, secretId(input)))) throw secretNotFound();
  const syntax = policyProblems(policy).map((ErrorMessage) => ({ CheckName: 'JSON_VALIDATION', ErrorMessage }));
  // A policy that parses is also checked for broad access, the check PutResourcePolicy's
  // BlockPublicPolicy applies (AWS does not document its check names: these are Lockbox's).
  const errors = syntax.length > 0 || !grantsPublic(policy) ? syntax
    : [{ CheckName: 'BROAD_ACCESS', ErrorMessage: 'The resource policy grants access to the secret to everyone (a wildcard principal).' }];
  return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
}

