// Runs rotations step by step with the state in the secret's record: the token and the next
// step are stored before any step runs and after each one succeeds, so a crash or restart
// resumes the same rotation (same token, same VersionId) at the step it had reached, and every
// step is idempotent, so rerunning the interrupted one is safe. A failed step is retried with
// backoff by the periodic hook; while it fails, NextRotationDate stays in the past. Each update
// of the record (reading it, then writing it back) runs in the secret's turn, as requests do;
// the rotation function runs between them, outside the turn.
import { randomUUID } from 'node:crypto';
import { CURRENT, PENDING, dropVersions, moveStage, prunableVersions, versionWith } from '../labels.js';
import type { PendingRotation, RotationState, RotationStep, SecretRecord, Store } from '../model.js';
import { rotatorFor, type RotationSettings } from './rotators.js';
import { nextWindow } from './schedule.js';
import { StepFailure } from './steps.js';
import type { SecretTurn } from '../turns.js';

const ORDER: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Retry delays after a failed step: from 5 s, doubling, at most an hour. */
export const retryDelayMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/**
 * A rotation that stopped at a failed step (recorded; it will be retried). Its message names
 * the secret, version and step with credentials already removed, so the log may print it
 * (the logger prints messages of errors that carry a status).
 */
export class RotationFailed extends Error {
  readonly status = 500;
}

/** One rotation of a secret at a time in this process (RotateSecret and the scheduler may meet). */
const running = new Map<string, Promise<void>>();

/** Adds the version RotateSecret makes: no value yet, labelled AWSPENDING. */
export function beginRotation(record: SecretRecord, pending: Omit<PendingRotation, 'attempts' | 'retryAt'>, now: number): string[] {
  const pruned = prunableVersions(record, now, 1);
  dropVersions(record, pruned);
  record.versions[pending.token] = { created: now, stages: [], noValue: true };
  record.order.push(pending.token);
  moveStage(record, PENDING, pending.token);
  record.rotation = { ...(record.rotation ?? { enabled: true }), pending: { ...pending, attempts: 0, retryAt: 0 } };
  return pruned;
}

/** The window after a rotation at `at`, as NextRotationDate. */
export function scheduleAfter(state: RotationState, at: number): RotationState {
  const window = state.enabled ? nextWindow(state.rules, at) : undefined;
  const { next: _old, ...rest } = state;
  return window ? { ...rest, next: window.start } : rest;
}

/** Ends a rotation: AWSPENDING goes; a configuration test also drops its empty version. */
function complete(record: SecretRecord, now: number): string[] {
  const state = record.rotation!;
  const pending = state.pending!;
  const { pending: _done, ...rest } = state;
  for (const id of record.order) record.versions[id]!.stages = record.versions[id]!.stages.filter((s) => s !== PENDING);
  if (pending.testOnly) {
    record.rotation = rest;
    const v = record.versions[pending.token];
    if (v && v.stages.length === 0) {
      dropVersions(record, [pending.token]);
      return [pending.token];
    }
    return [];
  }
  record.rotation = scheduleAfter({ ...rest, lastRotated: now }, now);
  return [];
}

/** What running a rotation needs besides the secret's name. */
export type RunContext = { st: Store; clock: () => number; settings: RotationSettings; turn: SecretTurn };

/**
 * Runs `name`'s pending rotation from its recorded step to the end, or to a failure (thrown).
 * Never call it inside the secret's turn: its record updates take that turn.
 */
export async function advance(run: RunContext, name: string): Promise<void> {
  const record = await run.st.secret(name);
  if (!record) return;
  // The uid names one secret of one mount (a recreated name gets another).
  const busy = running.get(record.uid);
  if (busy) return busy;
  const rotation = steps(run, name).finally(() => running.delete(record.uid));
  running.set(record.uid, rotation);
  return rotation;
}

/** The pending rotation to go on with, read in the secret's turn; one whose label was moved away is dropped. */
function pendingOf({ st, turn }: RunContext, name: string): Promise<{ pending: PendingRotation; lambdaArn: string } | undefined> {
  return turn(name, async () => {
    const record = await st.secret(name);
    const pending = record?.rotation?.pending;
    if (!record || !pending) return undefined;
    const version = record.versions[pending.token];
    if (!version || !version.stages.includes(PENDING)) {
      // Someone moved the label away (CancelRotateSecret, UpdateSecretVersionStage): nothing to resume.
      const { pending: _gone, ...rest } = record.rotation!;
      await st.putSecret({ ...record, rotation: rest });
      return undefined;
    }
    return { pending, lambdaArn: record.rotation!.lambdaArn ?? '' };
  });
}

/** Records a failed step on the rotation it belongs to (not on a later one), in the secret's turn. */
function recordFailure({ st, clock, turn }: RunContext, name: string, pending: PendingRotation, message: string): Promise<void> {
  return turn(name, async () => {
    const fresh = await st.secret(name);
    if (fresh?.rotation?.pending?.token !== pending.token) return;
    const attempts = fresh.rotation.pending.attempts + 1;
    fresh.rotation.pending = { ...fresh.rotation.pending, attempts, retryAt: clock() + retryDelayMs(attempts), error: `${pending.step}: ${message}` };
    await st.putSecret(fresh);
  });
}

/** Records a step that succeeded: the next step, or the end of the rotation. Answers whether it ended. */
function recordStep({ st, clock, turn }: RunContext, name: string, pending: PendingRotation): Promise<boolean> {
  return turn(name, async () => {
    const fresh = await st.secret(name);
    const state = fresh?.rotation;
    if (!fresh || state?.pending?.token !== pending.token) return true;
    const next = ORDER[ORDER.indexOf(pending.step) + 1];
    if (pending.testOnly || next === undefined) {
      const dropped = complete(fresh, clock());
      await st.putSecret(fresh);
      for (const id of dropped) await st.deleteValue(fresh, id);
      return true;
    }
    state.pending = { ...state.pending, step: next, attempts: 0, retryAt: 0 };
    delete state.pending.error;
    await st.putSecret(fresh);
    return false;
  });
}

async function steps(run: RunContext, name: string): Promise<void> {
  for (;;) {
    const found = await pendingOf(run, name);
    if (!found) return;
    const { pending, lambdaArn } = found;
    // The step runs outside the turn: a webhook calls back on this secret, and steps may be slow.
    try {
      const rotator = rotatorFor(lambdaArn, run.settings);
      await rotator.run(pending.step, { st: run.st, name, token: pending.token, testOnly: pending.testOnly === true, turn: run.turn });
    } catch (err) {
      const message = err instanceof StepFailure || (err as { code?: string }).code ? (err as Error).message : 'the rotation function failed';
      await recordFailure(run, name, pending, message);
      throw new RotationFailed(`rotation of ${name} (version ${pending.token}) failed at ${pending.step}: ${message}`);
    }
    if (await recordStep(run, name, pending)) return;
  }
}

/** Whether a secret has an AWSPENDING version that is not AWSCURRENT (a rotation not finished). */
export function rotationIncomplete(record: SecretRecord): boolean {
  const id = versionWith(record, PENDING);
  return id !== undefined && !record.versions[id]!.stages.includes(CURRENT);
}

/**
 * The periodic work: resumes pending rotations whose retry time has come (at once after a
 * restart) and starts the ones whose window has opened. Failures are recorded on each secret
 * and reported together, credentials removed.
 */
export async function runDueRotations(st: Store, now: number, settings: RotationSettings, turn: SecretTurn): Promise<void> {
  const failures: string[] = [];
  const run: RunContext = { st, clock: () => now, settings, turn };
  for (const listed of await st.allSecrets()) {
    if (dueWork(listed, now) === undefined) continue;
    // The listing may be stale by now: decide (and begin a rotation) on the record read in its turn.
    const go = await turn(listed.name, async () => {
      const record = await st.secret(listed.name);
      const work = record && record.uid === listed.uid ? dueWork(record, now) : undefined;
      if (work !== 'start') return work === 'resume';
      const pruned = beginRotation(record!, { token: randomUUID(), step: 'createSecret', due: record!.rotation!.next! }, now);
      await st.putSecret(record!);
      for (const id of pruned) await st.deleteValue(record!, id);
      return true;
    });
    if (go) await advance(run, listed.name).catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
  }
  if (failures.length > 0) throw new RotationFailed(failures.join('; '));
}

/** What the periodic work has to do for a secret now: resume its pending rotation, start one, or nothing. */
function dueWork(record: SecretRecord, now: number): 'resume' | 'start' | undefined {
  const state = record.rotation;
  if (!state || record.deleted !== undefined || running.has(record.uid)) return undefined;
  if (state.pending) return now < state.pending.retryAt ? undefined : 'resume';
  if (!state.enabled || state.next === undefined || now < state.next || rotationIncomplete(record)) return undefined;
  return 'start';
}
