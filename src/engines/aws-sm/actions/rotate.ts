// RotateSecret and CancelRotateSecret. RotateSecret stores the rotation function and rules,
// turns rotation on and, unless RotateImmediately is false, runs a rotation now: a version
// with no value labelled AWSPENDING (VersionId = the token), then the four steps. A step that
// fails is recorded and retried by the periodic hook; the call itself still succeeds, as AWS's
// does once the rotation has started. Its checks and record updates run in the secret's turn;
// the steps run outside it (they take the turn for their own updates), because a rotation
// function calls back on the secret and may take long.
import { invalidParameter, invalidRequest } from '../errors.js';
import { versionWith, PENDING } from '../labels.js';
import { optBool, optString, requestToken, type Input } from '../members.js';
import type { RotationState, Store } from '../model.js';
import { rotatorFor, type RotationSettings } from '../rotation/rotators.js';
import { advance, beginRotation, RotationFailed, rotationIncomplete, scheduleAfter, type RunContext } from '../rotation/runner.js';
import { rulesOf } from '../rotation/schedule.js';
import type { SecretTurn } from '../turns.js';
import { liveSecret } from './write.js';

/**
 * `st` finds only the secret the request was authorised for, `name`; `all` is the whole mount,
 * which the rotation itself needs (the master secret of alternating users). `turn` is the
 * mount's per-secret turns, which requests on the secret take too.
 */
export type RotateContext = {
  st: Store; all: Store; name: string; turn: SecretTurn; input: Input; now: number; clock: () => number; settings: RotationSettings;
};

const incomplete = () => invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");

/** What RotateSecret does after its checks: nothing more, run the rotation under way, or run the one it began. */
type Start =
  | { answer: Answer; then: 'return' | 'retry' }
  | { answer: Answer; then: 'run'; before: RotationState | undefined };
type Answer = { ARN: string; Name: string; VersionId: string };

export async function rotateSecret({ st, all, name, turn, input, now, clock, settings }: RotateContext) {
  const token = requestToken(input);
  if (token === undefined) throw invalidParameter('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  const lambdaArn = optString(input, 'RotationLambdaARN', { max: 2048 });
  const rules = rulesOf(input);
  const immediately = optBool(input, 'RotateImmediately') ?? true;
  if (lambdaArn !== undefined) rotatorFor(lambdaArn, settings);
  const start = await turn(name, async (): Promise<Start> => {
    const record = await liveSecret(st, input);
    const answer = { ARN: record.arn, Name: record.name, VersionId: token };
    const state = record.rotation;
    if (state?.pending) {
      // The same request again retries the rotation under way now, whatever its backoff.
      if (state.pending.token !== token) throw incomplete();
      return { answer, then: 'retry' };
    }
    if (rotationIncomplete(record)) throw incomplete();
    if (record.versions[token]) return { answer, then: 'return' };
    const arn = lambdaArn ?? state?.lambdaArn;
    if (arn === undefined) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    const configured = { ...state, enabled: true, lambdaArn: arn, ...(rules !== undefined || state?.rules ? { rules: rules ?? state!.rules } : {}) };
    record.rotation = immediately ? configured : scheduleAfter(configured, state?.lastRotated ?? now);
    const pruned = beginRotation(record, { token, step: immediately ? 'createSecret' : 'testSecret', due: now, ...(immediately ? {} : { testOnly: true as const }) }, now);
    await st.putSecret(record);
    for (const id of pruned) await st.deleteValue(record, id);
    return { answer, then: 'run', before: state };
  });
  if (start.then === 'return') return start.answer;
  const failure = await run({ st: all, clock, settings, turn }, name);
  // A configuration test is not retried: its failure is the answer, and a refused call leaves
  // the rotation configuration as it found it.
  if (start.then === 'run' && failure && !immediately) {
    const { before } = start;
    await turn(name, () => dropTest(st, name, token, before));
    throw invalidRequest(`The rotation test failed: ${failure}`);
  }
  return start.answer;
}

/** Runs the rotation; a failed step (recorded, to be retried) is returned, not thrown. */
async function run(ctx: RunContext, name: string): Promise<string | undefined> {
  try {
    await advance(ctx, name);
    return undefined;
  } catch (err) {
    if (err instanceof RotationFailed) return err.message;
    throw err;
  }
}

/** Removes a failed configuration test's empty version and puts back the rotation state before it (in the secret's turn). */
async function dropTest(st: Store, name: string, token: string, before: RotationState | undefined) {
  const record = await st.secret(name);
  if (!record?.rotation?.pending || record.rotation.pending.token !== token) return;
  if (before) record.rotation = before;
  else delete record.rotation;
  if (record.versions[token]?.noValue) {
    delete record.versions[token];
    record.order = record.order.filter((id) => id !== token);
  }
  await st.putSecret(record);
}

export async function cancelRotateSecret(st: Store, input: Input) {
  const record = await liveSecret(st, input);
  // AWS leaves AWSPENDING where it is and returns its version: the caller decides what to do with it.
  const pendingId = record.rotation?.pending?.token ?? (rotationIncomplete(record) ? versionWith(record, PENDING) : undefined);
  if (record.rotation) {
    const { pending: _p, next: _n, ...rest } = record.rotation;
    record.rotation = { ...rest, enabled: false };
    await st.putSecret(record);
  }
  return { ARN: record.arn, Name: record.name, ...(pendingId !== undefined ? { VersionId: pendingId } : {}) };
}
