// The aws-sm secrets engine: AWS Secrets Manager's secrets, versions, staging labels, tags and
// resource policies, served to AWS's SDKs through the wire translator in wire/ and to Vault
// clients at /v1/<mount>/. Its periodic work purges secrets whose recovery window is over.
import { defineBackend, type Backend } from '../../core/backend.js';
import { purgeExpired } from './actions/manage.js';
import { store } from './model.js';
import { awsSmPaths } from './paths.js';

export { awsWireHandler } from './wire/translate.js';

/** The engine (one backend for every mount of type aws-sm). */
export const awsSmBackend: Backend = defineBackend({
  type: 'aws-sm',
  summary: 'AWS Secrets Manager-compatible secrets with versions and staging labels.',
  paths: awsSmPaths,
  periodic: ({ storage, now }) => purgeExpired(store(storage), now),
});
