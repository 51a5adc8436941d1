// Rotation schedules: rate in hours and days, AutomaticallyAfterDays, cron with AWS's fields
// (?, L, #, names, steps), window Durations and their limits, all in UTC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextWindow, rulesOf, type RotationRules } from '../../../../src/engines/aws-sm/rotation/schedule.js';
import { AwsError } from '../../../../src/util/aws-error.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const window = (rules: RotationRules, after: string) => {
  const w = nextWindow(rulesOf({ RotationRules: rules }), at(after))!;
  return [iso(w.start), iso(w.end)];
};
const refused = (rules: unknown, code: string, message: RegExp) =>
  assert.throws(() => rulesOf({ RotationRules: rules }), (e: unknown) => e instanceof AwsError && e.code === code && message.test(e.message));

test('AutomaticallyAfterDays and rate(N days): the window opens at midnight N days on and lasts the day', () => {
  assert.deepEqual(window({ AutomaticallyAfterDays: 30 }, '2026-12-03T09:30:00Z'), ['2027-01-02T00:00:00Z', '2027-01-03T00:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'rate(1 day)' }, '2026-12-03T23:59:59Z'), ['2026-12-04T00:00:00Z', '2026-12-05T00:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'rate(10 days)', Duration: '3h' }, '2026-12-03T09:30:00Z'), ['2026-12-13T00:00:00Z', '2026-12-13T03:00:00Z']);
});

test('rate(N hours): windows open on the hour N hours apart and last an hour unless Duration says otherwise', () => {
  assert.deepEqual(window({ ScheduleExpression: 'rate(4 hours)' }, '2026-12-03T09:30:00Z'), ['2026-12-03T13:00:00Z', '2026-12-03T14:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'rate(12 hours)', Duration: '4h' }, '2026-12-03T09:30:00Z'), ['2026-12-03T21:00:00Z', '2026-12-04T00:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'rate(23976 hours)' }, '2026-12-03T09:00:00Z').length, 2);
});

test('cron(): hours, day of month, month and day of week with ?, L, # and names', () => {
  // Every day at 10:00; the rest of the day by default.
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 10 * * ? *)' }, '2026-12-03T09:30:00Z'), ['2026-12-03T10:00:00Z', '2026-12-04T00:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 10 * * ? *)' }, '2026-12-03T10:00:00Z'), ['2026-12-04T10:00:00Z', '2026-12-05T00:00:00Z']);
  // Twice a day (a schedule in hours): one-hour windows.
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 4/12 * * ? *)' }, '2026-12-03T09:30:00Z'), ['2026-12-03T16:00:00Z', '2026-12-03T17:00:00Z']);
  // The second Tuesday of the month; Tuesday is 3 (SUN is 1).
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 8 ? * 3#2 *)', Duration: '2h' }, '2026-12-03T09:30:00Z'), ['2026-12-08T08:00:00Z', '2026-12-08T10:00:00Z']);
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 8 ? * TUE#2 *)', Duration: '2h' }, '2026-12-09T00:00:00Z'), ['2027-01-12T08:00:00Z', '2027-01-12T10:00:00Z']);
  // The last day of the month, and the last Friday.
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 0 L * ? *)' }, '2027-02-01T00:00:00Z')[0], '2027-02-28T00:00:00Z');
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 0 ? * 6L *)' }, '2026-12-03T00:00:00Z')[0], '2026-12-25T00:00:00Z');
  // Weekdays by name, months by name.
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 6 ? JAN,JUL MON-FRI *)' }, '2026-12-03T00:00:00Z')[0], '2027-01-01T06:00:00Z');
  assert.deepEqual(window({ ScheduleExpression: 'cron(0 6 15 * ? *)' }, '2026-12-15T06:00:00Z')[0], '2027-01-15T06:00:00Z');
});

test('rules that break AWS\'s constraints are refused with its exception types', () => {
  refused({ AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 day)' }, 'InvalidParameterException', /both rotation frequency and schedule expression/);
  refused({ AutomaticallyAfterDays: 0 }, 'ValidationException', /greater than or equal to 1/);
  refused({ ScheduleExpression: 'rate(1000 days)' }, 'InvalidParameterException', /1 to 999 days/);
  refused({ ScheduleExpression: 'rate(2 hours)' }, 'InvalidParameterException', /4 hours/);
  refused({ ScheduleExpression: 'cron(0 10 * * * *)' }, 'InvalidParameterException', /not a valid cron/); // both day fields set
  refused({ ScheduleExpression: 'cron(0 10 ? * ? *)' }, 'InvalidParameterException', /not a valid cron/); // neither
  refused({ ScheduleExpression: 'cron(0 10 * * ? 2027)' }, 'InvalidParameterException', /not a valid cron/);
  refused({ ScheduleExpression: 'cron(0 24 * * ? *)' }, 'InvalidParameterException', /not a valid cron/);
  refused({ ScheduleExpression: 'cron(0 10 31 2 ? *)' }, 'InvalidParameterException', /not a valid cron/); // never comes
  refused({ ScheduleExpression: 'cron(0 10 * * ? *)', Duration: '15h' }, 'InvalidParameterException', /next UTC day/);
  refused({ ScheduleExpression: 'cron(0 4/6 * * ? *)', Duration: '7h' }, 'InvalidParameterException', /next rotation window/);
  refused({ ScheduleExpression: 'rate(4 hours)', Duration: '5h' }, 'InvalidParameterException', /next rotation window/);
  refused({ ScheduleExpression: 'rate(4 days)', Duration: '25h' }, 'InvalidParameterException', /1h to 24h/);
  refused({ Duration: '2h' }, 'InvalidParameterException', /needs a rotation schedule/);
  refused({ ScheduleExpression: 'rate(4 days);' }, 'ValidationException', /regular expression pattern/);
  refused({ Duration: '2hours' }, 'ValidationException', /length less than or equal to 3/);
  refused('often', 'SerializationException', /RotationRules/);
});

test('rules without a schedule mean rotation on demand only', () => {
  assert.equal(nextWindow(rulesOf({ RotationRules: {} }), at('2026-12-03T00:00:00Z')), undefined);
  assert.equal(rulesOf({}), undefined);
});
