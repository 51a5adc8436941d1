// Per-secret turns: every action on a secret reads its record and writes it back, so of two at
// once one change would be lost. Requests take the turn of the secret they name; a rotation
// takes it around each of its own record updates, never across a call of its rotation function
// (which may call back on the same secret, and may be slow).
import { KeyedLock } from '../../util/keyed-lock.js';

/** Runs `fn` in the turn of the secret `name`. Never nest turns of one secret: it would wait on itself. */
export type SecretTurn = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

const turns = new KeyedLock();

/** The turns of one mount's secrets (a name is one secret per mount, in this process). */
export const turnsOf = (mountUuid: string): SecretTurn => (name, fn) => turns.run(`${mountUuid}\u0000${name}`, fn);
