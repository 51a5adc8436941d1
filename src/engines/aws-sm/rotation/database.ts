// The built-in database rotators, after AWS's rotation templates: single user (the user
// changes its own password) and alternating users (a master user keeps `<user>` and
// `<user>_clone` in turn, so the previous credentials work until the next rotation).
//   createSecret: AWSCURRENT's JSON with a new 32-character password (and the other user);
//   setSecret:    nothing if AWSPENDING already logs in, else set it in the database;
//   testSecret:   log in with AWSPENDING and run SELECT NOW();
//   finishSecret: AWSCURRENT moves to the new version.
// Every step is idempotent. Driver messages are scrubbed of every password involved.
import { scrubMessage } from '../../../util/sql/index.js';
import { randomPassword } from '../actions/password.js';
import { logsIn, mysqlDialect, postgres, withLogin, type DbSecret, type Dialect } from './sql.js';
import {
  CURRENT, PENDING, PREVIOUS, StepFailure, current, masterSecret, promotePending, putPendingValue, stringValue,
  type Rotator, type StepContext,
} from './steps.js';

/** AWS's templates leave these out of generated passwords (they break connection strings). */
const EXCLUDED = ':/@"\'\\';
const CLONE = '_clone';

type Kind = { engine: string; dialect: Dialect };
const KINDS = {
  PostgreSQL: { engine: 'postgres', dialect: postgres },
  MySQL: { engine: 'mysql', dialect: mysqlDialect },
  MariaDB: { engine: 'mariadb', dialect: mysqlDialect },
} satisfies Record<string, Kind>;

/** The built-in rotator names, as RotationLambdaARN gives them after `lockbox:rotator:`. */
export const BUILT_IN = Object.keys(KINDS).flatMap((k) => [`${k}SingleUser`, `${k}MultiUser`]);

/** Parses a secret value as database credentials; the message never quotes the value. */
function credentials(text: string | undefined, what: string, engine: string): DbSecret {
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const v = value as Partial<DbSecret> | undefined;
  if (!v || typeof v !== 'object' || typeof v.host !== 'string' || typeof v.username !== 'string' || typeof v.password !== 'string') {
    throw new StepFailure(`The ${what} value is not JSON with host, username and password.`);
  }
  if (v.engine !== engine) throw new StepFailure(`The ${what} value must have "engine": "${engine}" for this rotator.`);
  const port = v.port === undefined ? undefined : Number(v.port);
  if (port !== undefined && !Number.isInteger(port)) throw new StepFailure(`The ${what} value has a port that is not a number.`);
  return { ...v, port } as DbSecret;
}

/** Runs database work; a failure is told with every known password removed. */
async function talk<T>(what: string, secrets: DbSecret[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new StepFailure(`${what}: ${scrubMessage(detail, secrets.map((s) => s.password))}`);
  }
}

/** The other user of an alternating pair. */
const otherUser = (username: string) => (username.endsWith(CLONE) ? username.slice(0, -CLONE.length) : `${username}${CLONE}`);

export function databaseRotator(name: string): Rotator | undefined {
  const m = /^(PostgreSQL|MySQL|MariaDB)(SingleUser|MultiUser)$/.exec(name);
  if (!m) return undefined;
  const { engine, dialect } = KINDS[m[1] as keyof typeof KINDS];
  const multi = m[2] === 'MultiUser';
  const read = async (ctx: StepContext, stage: string) => {
    const record = await current(ctx);
    const text = stage === PENDING ? await stringValue(ctx.st, record, { id: ctx.token }) : await stringValue(ctx.st, record, { stage });
    return text === undefined ? undefined : credentials(text, stage, engine);
  };
  const need = async (ctx: StepContext, stage: string) => {
    const c = await read(ctx, stage);
    if (!c) throw new StepFailure(`The secret has no ${stage} value.`);
    return c;
  };

  const steps = {
    async createSecret(ctx: StepContext) {
      const record = await current(ctx);
      if (await stringValue(ctx.st, record, { id: ctx.token }) !== undefined) return;
      const now = await need(ctx, CURRENT);
      const text = (await stringValue(ctx.st, record, { stage: CURRENT }))!;
      const next: Record<string, unknown> = { ...JSON.parse(text) as Record<string, unknown>, password: randomPassword({ PasswordLength: 32, ExcludeCharacters: EXCLUDED }) };
      if (multi) next.username = otherUser(now.username);
      await putPendingValue(ctx, JSON.stringify(next));
    },
    async setSecret(ctx: StepContext) {
      const pending = await need(ctx, PENDING);
      if (await logsIn(dialect, pending)) return;
      const now = await need(ctx, CURRENT);
      if (!multi) {
        // The user changes its own password, logged in as itself (with the previous password if
        // an earlier attempt already changed it).
        const previous = await read(ctx, PREVIOUS).catch(() => undefined);
        const known = [pending, now, ...(previous ? [previous] : [])];
        const login = (await logsIn(dialect, now)) ? now : previous && (await logsIn(dialect, { ...previous, username: now.username })) ? { ...previous, username: now.username } : undefined;
        if (!login) throw new StepFailure(`setSecret: neither the ${CURRENT} nor the ${PREVIOUS} credentials of ${now.username} log in.`);
        await talk('setSecret: changing the password failed', known, () => withLogin(dialect, login, (s) => s.setOwnPassword(pending.username, pending.password)));
        return;
      }
      if (!now.masterarn) throw new StepFailure('setSecret: the alternating-users rotators need "masterarn" in the secret value.');
      const master = await masterSecret(ctx.st, now.masterarn);
      const admin = credentials(master.value, `master secret's ${CURRENT}`, engine);
      const known = [pending, now, admin];
      await talk('setSecret: as the master user', known, () => withLogin(dialect, { ...admin, dbname: admin.dbname ?? now.dbname }, async (s) => {
        // The clone is made once, with the privileges of the user it alternates with.
        if (!(await s.userExists(pending.username))) await s.createClone(now.username, pending.username, pending.password);
        await s.setPassword(pending.username, pending.password);
      }));
    },
    async testSecret(ctx: StepContext) {
      // A configuration test (RotateImmediately false) has no new value: it tests the current one.
      const c = (await read(ctx, PENDING)) ?? (ctx.testOnly ? await need(ctx, CURRENT) : undefined);
      if (!c) throw new StepFailure(`The secret has no ${PENDING} value.`);
      await talk(`testSecret: logging in as ${c.username} failed`, [c], () => withLogin(dialect, c, (s) => s.now()));
    },
    finishSecret: promotePending,
  };
  return { run: (step, ctx) => steps[step](ctx) };
}
