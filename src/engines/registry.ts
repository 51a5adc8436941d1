// Every secrets engine type that can be mounted. Adding an engine is one line here.
import type { Backend } from '../core/backend.js';
import { cubbyholeBackend } from './cubbyhole/index.js';

/** Secrets engines by mount type. */
export const secretEngines: ReadonlyMap<string, Backend> = new Map([
  ['cubbyhole', cubbyholeBackend],
]);
