// The engine's records: one per secret (metadata, labels, tags, policy, deletion window), one
// per version value, and the mount's fixed identity (account id, region). Times are epoch ms.
import { randomInt, randomUUID } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import type { RotationRules } from './rotation/schedule.js';

/** A tag as AWS carries it. */
export type Tag = { Key: string; Value: string };

/** One version's bookkeeping (its value is a separate record). */
export type VersionMeta = {
  created: number;
  stages: string[];
  /** Start of the UTC day this version's value was last read. */
  lastAccessed?: number;
  /** A version RotateSecret made before a value exists (AWSPENDING); reads of it are not found. */
  noValue?: true;
};

/** The rotation steps, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** A rotation under way: durable, so a restart resumes it with the same token. */
export type PendingRotation = {
  token: string;
  /** The next step to run (every step is idempotent, so rerunning one is safe). */
  step: RotationStep;
  /** RotateImmediately false: only testSecret runs, then the pending version goes. */
  testOnly?: true;
  /** When the rotation became due (NextRotationDate while it is pending, in the past). */
  due: number;
  attempts: number;
  /** Earliest time of the next attempt after a failure. */
  retryAt: number;
  /** The last failure, credentials removed. */
  error?: string;
};

/** A secret's rotation configuration and bookkeeping. */
export type RotationState = {
  enabled: boolean;
  lambdaArn?: string;
  rules?: RotationRules;
  lastRotated?: number;
  /** Start of the next window (NextRotationDate), when there is a schedule. */
  next?: number;
  pending?: PendingRotation;
};

/** Everything about one secret except its values. */
export type SecretRecord = {
  name: string;
  arn: string;
  /** Storage id of the values: a recreated name never sees an old secret's values. */
  uid: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  created: number;
  lastChanged: number;
  /** Start of the UTC day of the last value read. */
  lastAccessed?: number;
  deleted?: number;
  purgeAt?: number;
  policy?: string;
  /** Version ids in creation order, with their labels. */
  order: string[];
  versions: Record<string, VersionMeta>;
  rotation?: RotationState;
};

/** A version's value: exactly one of the two. */
export type SecretValue = { SecretString?: string; SecretBinary?: string };

/** The mount's identity, fixed when first used. */
export type EngineConfig = { account: string; region: string };

const decode = <T>(raw: Buffer | undefined): T | undefined => (raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as T));
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));
/** Names may hold `/` and `..`: storage keys use their base64url form. */
const keyOf = (name: string) => Buffer.from(name, 'utf8').toString('base64url');

/** Typed records over the mount's storage. */
export const store = (s: Storage) => ({
  secret: async (name: string) => decode<SecretRecord>(await s.get(`secret/${keyOf(name)}`)),
  putSecret: (record: SecretRecord) => s.put(`secret/${keyOf(record.name)}`, encode(record)),
  deleteSecret: async (record: SecretRecord) => {
    for (const id of record.order) await s.delete(`value/${record.uid}/${id}`);
    await s.delete(`secret/${keyOf(record.name)}`);
  },
  /** Every secret, in no particular order. */
  allSecrets: async (): Promise<SecretRecord[]> => {
    const out: SecretRecord[] = [];
    for (const key of await s.list('secret/')) {
      const record = decode<SecretRecord>(await s.get(`secret/${key}`));
      if (record) out.push(record);
    }
    return out;
  },
  value: async (record: SecretRecord, id: string) => decode<SecretValue>(await s.get(`value/${record.uid}/${id}`)),
  putValue: (record: SecretRecord, id: string, value: SecretValue) => s.put(`value/${record.uid}/${id}`, encode(value)),
  deleteValue: (record: SecretRecord, id: string) => s.delete(`value/${record.uid}/${id}`),
  config: async (region: string): Promise<EngineConfig> => {
    const found = decode<EngineConfig>(await s.get('config'));
    if (found) return found;
    // A 12-digit account id, fixed from the first use on: ARNs must not change.
    const config = { account: String(randomInt(100_000_000_000, 1_000_000_000_000)), region };
    await s.put('config', encode(config));
    return config;
  },
});

export type Store = ReturnType<typeof store>;

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A new secret's ARN: the name plus `-` and six random letters and digits. */
export function newArn(config: EngineConfig, name: string): string {
  const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
  return `arn:aws:secretsmanager:${config.region}:${config.account}:secret:${name}-${suffix}`;
}

export const newUid = () => randomUUID();

/** The name a SecretId most likely names: a full ARN loses its suffix, a partial ARN keeps its tail. */
export function nameCandidates(secretId: string): { name: string; arn?: string }[] {
  const m = /^arn:aws:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(secretId);
  if (!m) return [{ name: secretId }];
  const tail = m[1]!;
  const full = /^(.+)-[A-Za-z0-9]{6}$/.exec(tail);
  return full ? [{ name: full[1]!, arn: secretId }, { name: tail }] : [{ name: tail }];
}

/** The name whose ACL path guards a SecretId (the first candidate). */
export const aclNameOf = (secretId: string) => nameCandidates(secretId)[0]!.name;

/** Finds the secret a SecretId names (name, full ARN or partial ARN). */
export async function findSecret(st: Store, secretId: string): Promise<SecretRecord | undefined> {
  for (const c of nameCandidates(secretId)) {
    const record = await st.secret(c.name);
    if (record && (c.arn === undefined || record.arn === c.arn)) return record;
  }
  return undefined;
}
