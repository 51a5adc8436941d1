// Which engine path and operation (and so which ACL check) each action is. The member that
// names the secret gives the path's <name>.
import type { Operation } from '../../../core/request.js';

/** Where one action goes. */
export type Route = { family: 'data' | 'metadata' | 'list' | 'random' | 'rotation'; operation: Operation; secretMember?: string };

const meta = (operation: Operation, secretMember = 'SecretId'): Route => ({ family: 'metadata', operation, secretMember });

/** The route of every action served here (BatchGetSecretValue fans out over GetSecretValue). */
export const ROUTES: Readonly<Record<string, Route>> = {
  GetSecretValue: { family: 'data', operation: 'read', secretMember: 'SecretId' },
  PutSecretValue: { family: 'data', operation: 'update', secretMember: 'SecretId' },
  DescribeSecret: meta('read'),
  ListSecretVersionIds: meta('read'),
  GetResourcePolicy: meta('read'),
  TagResource: meta('update'),
  UntagResource: meta('update'),
  UpdateSecretVersionStage: meta('update'),
  PutResourcePolicy: meta('update'),
  DeleteResourcePolicy: meta('update'),
  RestoreSecret: meta('update'),
  DeleteSecret: meta('delete'),
  ListSecrets: { family: 'list', operation: 'list' },
  GetRandomPassword: { family: 'random', operation: 'read' },
  RotateSecret: { family: 'rotation', operation: 'update', secretMember: 'SecretId' },
  CancelRotateSecret: { family: 'rotation', operation: 'update', secretMember: 'SecretId' },
};

/** Actions whose route depends on the request: with a value they are writes of data/<name>. */
export function routeOf(action: string, input: Record<string, unknown>): Route | undefined {
  const hasValue = input.SecretString != null || input.SecretBinary != null;
  if (action === 'CreateSecret') return hasValue ? { family: 'data', operation: 'update', secretMember: 'Name' } : meta('update', 'Name');
  if (action === 'UpdateSecret') return hasValue ? { family: 'data', operation: 'update', secretMember: 'SecretId' } : meta('update');
  if (action === 'ValidateResourcePolicy') return typeof input.SecretId === 'string' ? meta('read') : { family: 'random', operation: 'read' };
  return ROUTES[action];
}

/** Replication needs more than one region. */
export const REPLICATION_ACTIONS = new Set(['ReplicateSecretToRegions', 'RemoveRegionsFromReplication', 'StopReplicationToReplica']);
