// Every secrets engine type that can be mounted. Adding an engine is one line here.
import type { Backend } from '../core/backend.js';
import { awsSmBackend } from './aws-sm/index.js';
import { cubbyholeBackend } from './cubbyhole/index.js';
import { databaseBackend } from './database/index.js';
import { kvEngine, kvV2Backend } from './kv/index.js';
import { pkiBackend } from './pki/index.js';
import { transitBackend } from './transit/index.js';

/** Picks the backend for a mount from its options (most engines have just one). */
export type EngineFactory = (options: Record<string, string>) => Backend;

/** Secrets engines by mount type. */
export const secretEngines: ReadonlyMap<string, EngineFactory> = new Map<string, EngineFactory>([
  ['cubbyhole', () => cubbyholeBackend],
  ['kv', kvEngine], ['kv-v2', () => kvV2Backend],
  ['pki', () => pkiBackend],
  ['transit', () => transitBackend],
  ['database', () => databaseBackend],
  ['aws-sm', () => awsSmBackend],
]);

/** Vault's older names of engine types: a mount keeps the name it was given, served by the engine it stands for. */
export const mountAliases: ReadonlyMap<string, string> = new Map([['generic', 'kv']]);
