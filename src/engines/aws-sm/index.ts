// The aws-sm secrets engine: AWS Secrets Manager's secrets, versions, staging labels, tags,
// resource policies and rotation, served to AWS's SDKs through the wire translator in wire/
// and to Vault clients at /v1/<mount>/. Its periodic work purges secrets whose recovery window
// is over and runs the rotations that fell due (or resumes interrupted ones).
import { defineBackend, type Backend } from '../../core/backend.js';
import { purgeExpired } from './actions/manage.js';
import { store } from './model.js';
import { awsSmPaths } from './paths.js';
import type { RotationSettings } from './rotation/rotators.js';
import { runDueRotations } from './rotation/runner.js';
import { turnsOf } from './turns.js';

export { awsWireHandler } from './wire/translate.js';
export type { RotationSettings } from './rotation/rotators.js';

/** The engine with server settings: `webhookHosts` may receive `lockbox:webhook:` rotation calls. */
export function awsSmEngine(settings: RotationSettings): Backend {
  return defineBackend({
    type: 'aws-sm',
    summary: 'AWS Secrets Manager-compatible secrets with versions, staging labels and rotation.',
    paths: awsSmPaths(settings),
    periodic: async ({ storage, now, mountUuid }) => {
      await purgeExpired(store(storage), now);
      await runDueRotations(store(storage), now, settings, turnsOf(mountUuid));
    },
  });
}

/** The engine (one backend for every mount of type aws-sm); no webhook host is allowed. */
export const awsSmBackend: Backend = awsSmEngine({ webhookHosts: [] });
