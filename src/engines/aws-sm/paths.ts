// The engine's paths. Each AWS action is one request on the path whose ACL guards it
// (data/<name> for values, metadata/<name> for everything else about a secret, rotation/<name>),
// with `action` naming it and `input` carrying AWS's request members. The wire translator
// builds these requests; they may also be sent to /v1 directly.
import type { Storage } from '../../storage/storage.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import { invalidRequest, validation } from './errors.js';
import { aclNameOf, store, type Store } from './model.js';
import type { Input } from './members.js';
import { createSecret, putSecretValue, updateSecret, type WriteContext } from './actions/write.js';
import { describeSecret, getSecretValue, listSecretVersionIds } from './actions/read.js';
import { listSecrets } from './actions/list.js';
import {
  deleteResourcePolicy, deleteSecret, getResourcePolicy, putResourcePolicy, restoreSecret, tagResource,
  untagResource, updateSecretVersionStage, validateResourcePolicy,
} from './actions/manage.js';
import { randomPassword } from './actions/password.js';
import { cancelRotateSecret, rotateSecret } from './actions/rotate.js';
import type { RotationSettings } from './rotation/rotators.js';
import { turnsOf } from './turns.js';

const fields = {
  name: field.string({ description: 'Name of the secret (from the URL); the ACL is checked on it.', default: '' }),
  action: field.string({ description: 'The Secrets Manager action, e.g. GetSecretValue.', required: true }),
  input: field.object({ description: 'The action\'s request members, as AWS names them.', default: {} }),
};

type Ctx = HandlerContext<{ name: string; action: string; input: Record<string, unknown> }>;

/** The region ARNs name: the mount option `region`, default us-east-1. */
export const regionOf = (options: Record<string, string>) => options.region || 'us-east-1';

/**
 * A store that finds only the secret the URL names: a request authorised on data/a must not
 * act on b, however its SecretId is spelt.
 */
function guarded(storage: Storage, name: string): Store {
  const st = store(storage);
  return { ...st, secret: async (n: string) => (n === name ? st.secret(n) : undefined) };
}

/** The secret the members name must be the one in the URL. */
function secretOf(ctx: Ctx, member: string): Store {
  const id = ctx.fields.input[member];
  if (typeof id === 'string' && id !== '' && aclNameOf(id) !== ctx.fields.name) throw validation(`The ${member} does not match the secret named in the request path.`);
  return guarded(ctx.storage, ctx.fields.name);
}

async function writeContext(ctx: Ctx, member: string): Promise<WriteContext> {
  const config = await store(ctx.storage).config(regionOf(ctx.mount.options));
  return { st: secretOf(ctx, member), input: ctx.fields.input as Input, now: ctx.clock.now(), config };
}

// Every action on a secret reads its record and writes it back (GetSecretValue too, for
// LastAccessedDate): per secret they take turns, or of two concurrent writes one would be lost.
// RotateSecret takes the turn itself, around each record update: its rotator may call back (a
// webhook's PutSecretValue) while it runs.
const inTurn = <T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> => turnsOf(ctx.mount.uuid)(ctx.fields.name, fn);

const unknownAction = (ctx: Ctx) => invalidRequest(`${ctx.fields.action} is not served on this path.`);
const reply = (data: Record<string, unknown>) => ({ data });

const exists = async (ctx: Ctx) => ctx.fields.name !== '' && (await store(ctx.storage).secret(ctx.fields.name)) !== undefined;

async function writeData(ctx: Ctx) {
  switch (ctx.fields.action) {
    case 'CreateSecret': return reply(await createSecret(await writeContext(ctx, 'Name')));
    case 'PutSecretValue': return reply(await putSecretValue(await writeContext(ctx, 'SecretId')));
    case 'UpdateSecret': return reply(await updateSecret(await writeContext(ctx, 'SecretId')));
    default: throw unknownAction(ctx);
  }
}

async function writeMetadata(ctx: Ctx) {
  const input = ctx.fields.input as Input;
  const now = ctx.clock.now();
  switch (ctx.fields.action) {
    case 'CreateSecret': return reply(await createSecret(await writeContext(ctx, 'Name')));
    case 'UpdateSecret': return reply(await updateSecret(await writeContext(ctx, 'SecretId')));
    case 'TagResource': return reply(await tagResource(secretOf(ctx, 'SecretId'), input));
    case 'UntagResource': return reply(await untagResource(secretOf(ctx, 'SecretId'), input));
    case 'UpdateSecretVersionStage': return reply(await updateSecretVersionStage(secretOf(ctx, 'SecretId'), input, now));
    case 'PutResourcePolicy': return reply(await putResourcePolicy(secretOf(ctx, 'SecretId'), input));
    case 'DeleteResourcePolicy': return reply(await deleteResourcePolicy(secretOf(ctx, 'SecretId'), input));
    case 'RestoreSecret': return reply(await restoreSecret(secretOf(ctx, 'SecretId'), input));
    default: throw unknownAction(ctx);
  }
}

async function readMetadata(ctx: Ctx) {
  const input = ctx.fields.input as Input;
  switch (ctx.fields.action) {
    case 'DescribeSecret': return reply(await describeSecret(secretOf(ctx, 'SecretId'), input));
    case 'ListSecretVersionIds': return reply(await listSecretVersionIds(secretOf(ctx, 'SecretId'), input));
    case 'GetResourcePolicy': return reply(await getResourcePolicy(secretOf(ctx, 'SecretId'), input));
    case 'ValidateResourcePolicy': return reply(await validateResourcePolicy(secretOf(ctx, 'SecretId'), input));
    default: throw unknownAction(ctx);
  }
}

const dataPath = definePath({
  pattern: 'data/*name', fields, summary: 'Secret values: GetSecretValue, and CreateSecret, PutSecretValue or UpdateSecret with a value.',
  exists,
  operations: {
    read: async (ctx) => {
      if (ctx.fields.action !== 'GetSecretValue') throw unknownAction(ctx);
      return inTurn(ctx, async () => reply(await getSecretValue(secretOf(ctx, 'SecretId'), ctx.fields.input as Input, ctx.clock.now())));
    },
    create: (ctx) => inTurn(ctx, () => writeData(ctx)),
    update: (ctx) => inTurn(ctx, () => writeData(ctx)),
  },
});

const metadataPath = definePath({
  pattern: 'metadata/*name', fields, summary: 'Everything about a secret but its value: describe, versions, tags, labels, policy, delete and restore.',
  exists,
  operations: {
    read: readMetadata,
    create: (ctx) => inTurn(ctx, () => writeMetadata(ctx)),
    update: (ctx) => inTurn(ctx, () => writeMetadata(ctx)),
    delete: async (ctx) => {
      if (ctx.fields.action !== 'DeleteSecret') throw unknownAction(ctx);
      return inTurn(ctx, async () => reply(await deleteSecret(secretOf(ctx, 'SecretId'), ctx.fields.input as Input, ctx.clock.now())));
    },
  },
});

const listPath = definePath({
  pattern: 'metadata/', fields, summary: 'ListSecrets, and the filter form of BatchGetSecretValue.',
  operations: {
    list: async (ctx) => {
      const result = await listSecrets(store(ctx.storage), ctx.fields.input as Input, regionOf(ctx.mount.options));
      // `keys` keeps Vault's LIST shape for /v1 callers; the translator reads SecretList.
      return reply({ keys: result.SecretList.map((s) => s.Name), ...result });
    },
  },
});

const randomPath = definePath({
  pattern: 'random', fields, summary: 'GetRandomPassword, and ValidateResourcePolicy without a secret.',
  operations: {
    read: async (ctx) => {
      const input = ctx.fields.input as Input;
      if (ctx.fields.action === 'GetRandomPassword') return reply({ RandomPassword: randomPassword(input) });
      if (ctx.fields.action === 'ValidateResourcePolicy') return reply(await validateResourcePolicy(store(ctx.storage), { ...input, SecretId: undefined }));
      throw unknownAction(ctx);
    },
  },
});

/** The rotation path: the rotators it may call depend on server settings (the webhook allow-list). */
const rotationPath = (settings: RotationSettings) => definePath({
  pattern: 'rotation/*name', fields, summary: 'RotateSecret and CancelRotateSecret.',
  exists,
  operations: {
    update: async (ctx) => {
      const st = secretOf(ctx, 'SecretId');
      if (ctx.fields.action === 'RotateSecret') {
        // The rotation reads other secrets of the mount (masterarn): it runs over the whole store.
        const all = store(ctx.storage);
        return reply(await rotateSecret({
          st, all, name: ctx.fields.name, turn: turnsOf(ctx.mount.uuid), input: ctx.fields.input as Input, now: ctx.clock.now(), clock: () => ctx.clock.now(), settings,
        }));
      }
      if (ctx.fields.action === 'CancelRotateSecret') return inTurn(ctx, async () => reply(await cancelRotateSecret(st, ctx.fields.input as Input)));
      throw unknownAction(ctx);
    },
  },
});

/** Every path of the engine. */
export const awsSmPaths = (settings: RotationSettings) => [dataPath, metadataPath, listPath, randomPath, rotationPath(settings)];
