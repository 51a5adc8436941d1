// What a rotator is given for one step, and the value helpers the built-in rotators share.
import { CURRENT, PENDING, PREVIOUS, moveStage, versionWith } from '../labels.js';
import { findSecret, type RotationStep, type SecretRecord, type Store } from '../model.js';
import type { SecretTurn } from '../turns.js';

/**
 * One step of one rotation. A step runs outside the secret's turn (it may be slow, and a webhook
 * calls back on the secret); what it writes to the record it writes in `turn`.
 */
export type StepContext = { st: Store; name: string; token: string; testOnly: boolean; turn: SecretTurn };

/** A rotation function: runs one step; throws (a message without credentials) when it fails. */
export type Rotator = { run(step: RotationStep, ctx: StepContext): Promise<void> };

/** A failed step, its message free of credentials. */
export class StepFailure extends Error {}

/** The secret as it is now (steps re-read it: another request may have changed it meanwhile). */
export async function current(ctx: StepContext): Promise<SecretRecord> {
  const record = await ctx.st.secret(ctx.name);
  if (!record) throw new StepFailure('The secret no longer exists.');
  return record;
}

/** The string value of the version holding `stage` (or of the version `id`). */
export async function stringValue(st: Store, record: SecretRecord, which: { stage?: string; id?: string }): Promise<string | undefined> {
  const id = which.id ?? versionWith(record, which.stage!);
  if (id === undefined || record.versions[id]?.noValue) return undefined;
  return (await st.value(record, id))?.SecretString;
}

/** Stores the pending version's value (createSecret's result); it keeps its AWSPENDING label. */
export function putPendingValue(ctx: StepContext, value: string): Promise<void> {
  return ctx.turn(ctx.name, async () => {
    const record = await current(ctx);
    const version = record.versions[ctx.token];
    if (!version || !version.stages.includes(PENDING)) throw new StepFailure(`The version ${ctx.token} is no longer labelled ${PENDING}.`);
    await ctx.st.putValue(record, ctx.token, { SecretString: value });
    delete version.noValue;
    await ctx.st.putSecret(record);
  });
}

/** finishSecret for the built-in rotators: AWSCURRENT moves to the new version (AWSPREVIOUS follows). */
export function promotePending(ctx: StepContext): Promise<void> {
  return ctx.turn(ctx.name, async () => {
    const record = await current(ctx);
    if (!record.versions[ctx.token]) throw new StepFailure(`The version ${ctx.token} no longer exists.`);
    if (versionWith(record, CURRENT) === ctx.token) return;
    moveStage(record, CURRENT, ctx.token);
    await ctx.st.putSecret(record);
  });
}

/** The master secret of an alternating-users rotation, by ARN or name in the same mount. */
export async function masterSecret(st: Store, masterarn: string): Promise<{ record: SecretRecord; value: string }> {
  const record = await findSecret(st, masterarn);
  const value = record && record.deleted === undefined ? await stringValue(st, record, { stage: CURRENT }) : undefined;
  if (!record || value === undefined) throw new StepFailure(`The master secret ${masterarn} has no ${CURRENT} value in this mount.`);
  return { record, value };
}

export { CURRENT, PENDING, PREVIOUS };
