// The members every write shares: the value (exactly one of SecretString / SecretBinary),
// the KMS key (only the default one exists here), tags and replica regions.
import { AwsError } from '../../util/aws-error.js';
import { invalidParameter, invalidRequest } from './errors.js';
import { check, optList, optObject, optString, reqString, type Input } from './members.js';
import type { SecretValue, Tag } from './model.js';

const MAX_VALUE = 65_536;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The value a write carries, if any; both at once is refused. */
export function valueOf(input: Input): SecretValue | undefined {
  // The model gives both values 1 to 65,536 (bytes, for the binary): an empty value is refused.
  const text = optString(input, 'SecretString', { min: 1, max: MAX_VALUE, sensitive: true });
  const binary = optString(input, 'SecretBinary', { sensitive: true });
  if (text !== undefined && binary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (binary !== undefined) {
    if (binary.length % 4 !== 0 || !BASE64.test(binary)) throw new AwsError('SerializationException', 'Base64 encoded binary data expected for member SecretBinary.');
    check('SecretBinary', binary, { min: 1, max: MAX_VALUE, sensitive: true }, Buffer.byteLength(binary, 'base64'));
    return { SecretBinary: binary };
  }
  return text === undefined ? undefined : { SecretString: text };
}

/** Whether two values are the same (the idempotent retry test). */
export const sameValue = (a: SecretValue | undefined, b: SecretValue | undefined) =>
  a !== undefined && b !== undefined && a.SecretString === b.SecretString && a.SecretBinary === b.SecretBinary;

const DEFAULT_KEYS = new Set(['', 'alias/aws/secretsmanager']);

/** KmsKeyId: only the default key exists; another is an EncryptionFailure naming it. */
export function kmsKeyOf(input: Input): string | undefined {
  const key = optString(input, 'KmsKeyId', { max: 2048 });
  if (key === undefined || DEFAULT_KEYS.has(key)) return undefined;
  throw new AwsError('EncryptionFailure', `Access to KMS is not allowed. Lockbox encrypts secrets under its own barrier and knows no KMS key ${key}.`);
}

/** Tags: at most 50, keys 1–128 and values 0–256 characters, `aws:` keys reserved. */
export function tagsOf(input: Input, member = 'Tags'): Tag[] | undefined {
  return optList(input, member, { max: 50 }, (raw) => {
    const tag = optObject(raw, member);
    const Key = reqString(tag, 'Key', { min: 1, max: 128 });
    const Value = optString(tag, 'Value', { max: 256 }) ?? '';
    if (Key.toLowerCase().startsWith('aws:')) throw invalidParameter('Tag keys beginning with aws: are reserved.');
    return { Key, Value };
  });
}

/** Lockbox runs one region: replication asks for more. */
export function refuseReplicas(input: Input): void {
  const regions = input.AddReplicaRegions;
  if (Array.isArray(regions) && regions.length > 0) throw replicationRefused();
}

/** The answer to every replication action. */
export const replicationRefused = () => invalidRequest('Lockbox serves one region; secrets cannot be replicated to other regions.');

/** Merges tags by key: a new value replaces the old one. */
export function mergeTags(tags: Tag[], more: Tag[]): Tag[] {
  const byKey = new Map(tags.map((t) => [t.Key, t]));
  for (const t of more) byKey.set(t.Key, t);
  return [...byKey.values()];
}
