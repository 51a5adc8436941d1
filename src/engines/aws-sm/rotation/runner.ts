// Runs rotations step by step with the state in the secret's record: the token and the next
// step are stored before any step runs and after each one succeeds, so a crash or restart
// resumes the same rotation (same token, same VersionId) at the step it had reached, and every
// step is idempotent, so rerunning the interrupted one is safe. A failed step is retried with
// backoff by the periodic hook; while it fails, NextRotationDate stays in the past.
import { randomUUID } from 'node:crypto';
import { CURRENT, PENDING, dropVersions, moveStage, prunableVersions, versionWith } from '../labels.js';
import type { PendingRotation, RotationState, RotationStep, SecretRecord, Store } from '../model.js';
import { rotatorFor, type RotationSettings } from './rotators.js';
import { nextWindow } from './schedule.js';
import { StepFailure } from './steps.js';

const ORDER: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Retry delays after a failed step: from 5 s, doubling, at most an hour. */
export const retryDelayMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/** A rotation that stopped at a failed step (recorded; it will be retried). */
export class RotationFailed extends Error {}

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

/** Runs `name`'s pending rotation from its recorded step to the end, or to a failure (thrown). */
export async function advance(st: Store, name: string, clock: () => number, settings: RotationSettings): Promise<void> {
  const record = await st.secret(name);
  if (!record) return;
  // The uid names one secret of one mount (a recreated name gets another).
  const busy = running.get(record.uid);
  if (busy) return busy;
  const run = steps(st, name, clock, settings).finally(() => running.delete(record.uid));
  running.set(record.uid, run);
  return run;
}

async function steps(st: Store, name: string, clock: () => number, settings: RotationSettings): Promise<void> {
  for (;;) {
    const record = await st.secret(name);
    const pending = record?.rotation?.pending;
    if (!record || !pending) return;
    const version = record.versions[pending.token];
    if (!version || !version.stages.includes(PENDING)) {
      // Someone moved the label away (CancelRotateSecret, UpdateSecretVersionStage): nothing to resume.
      const { pending: _gone, ...rest } = record.rotation!;
      await st.putSecret({ ...record, rotation: rest });
      return;
    }
    try {
      const rotator = rotatorFor(record.rotation!.lambdaArn ?? '', settings);
      await rotator.run(pending.step, { st, name, token: pending.token, testOnly: pending.testOnly === true });
    } catch (err) {
      const message = err instanceof StepFailure || (err as { code?: string }).code ? (err as Error).message : 'the rotation function failed';
      const fresh = await st.secret(name);
      if (fresh?.rotation?.pending?.token === pending.token) {
        const attempts = fresh.rotation.pending.attempts + 1;
        fresh.rotation.pending = { ...fresh.rotation.pending, attempts, retryAt: clock() + retryDelayMs(attempts), error: `${pending.step}: ${message}` };
        await st.putSecret(fresh);
      }
      throw new RotationFailed(`rotation of ${name} (version ${pending.token}) failed at ${pending.step}: ${message}`);
    }
    const fresh = await st.secret(name);
    const state = fresh?.rotation;
    if (!fresh || state?.pending?.token !== pending.token) return;
    const next = ORDER[ORDER.indexOf(pending.step) + 1];
    if (pending.testOnly || next === undefined) {
      const dropped = complete(fresh, clock());
      await st.putSecret(fresh);
      for (const id of dropped) await st.deleteValue(fresh, id);
      return;
    }
    state.pending = { ...state.pending, step: next, attempts: 0, retryAt: 0 };
    delete state.pending.error;
    await st.putSecret(fresh);
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
export async function runDueRotations(st: Store, now: number, settings: RotationSettings): Promise<void> {
  const failures: string[] = [];
  for (const record of await st.allSecrets()) {
    const state = record.rotation;
    if (!state || record.deleted !== undefined || running.has(record.uid)) continue;
    if (state.pending) {
      if (now < state.pending.retryAt) continue;
    } else {
      if (!state.enabled || state.next === undefined || now < state.next || rotationIncomplete(record)) continue;
      const pruned = beginRotation(record, { token: randomUUID(), step: 'createSecret', due: state.next }, now);
      await st.putSecret(record);
      for (const id of pruned) await st.deleteValue(record, id);
    }
    await advance(st, record.name, () => now, settings).catch((err: unknown) => failures.push(err instanceof Error ? err.message : String(err)));
  }
  if (failures.length > 0) throw new RotationFailed(failures.join('; '));
}
