// rotation_schedule's cron: fields, names, steps, ranges, the day-of-month/day-of-week rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCronTime, parseCron } from '../../../src/engines/database/cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (spec: string, from: string) => new Date(nextCronTime(parseCron(spec), at(from))).toISOString();

test('next firing times in UTC', () => {
  assert.equal(next('0 * * * *', '2026-03-01T10:00:00Z'), '2026-03-01T11:00:00.000Z');
  assert.equal(next('*/15 * * * *', '2026-03-01T10:07:30Z'), '2026-03-01T10:15:00.000Z');
  assert.equal(next('30 2 * * MON', '2026-03-01T10:00:00Z'), '2026-03-02T02:30:00.000Z'); // 1 March 2026 is a Sunday
  assert.equal(next('0 0 1 JAN *', '2026-03-01T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  assert.equal(next('0 9-17/4 * * 1-5', '2026-03-02T10:00:00Z'), '2026-03-02T13:00:00.000Z');
  assert.equal(next('0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  // Both day fields restricted: either matches (the 15th, or any Friday).
  assert.equal(next('0 0 15 * 5', '2026-03-01T00:00:00Z'), '2026-03-06T00:00:00.000Z');
  assert.equal(next('0 0 * * 7', '2026-03-02T00:00:00Z'), '2026-03-08T00:00:00.000Z');
});

test('a stepped day field is a restriction, and ? means any, as in Vault\'s cron library', () => {
  // Odd days of the month or Mondays: 2 March 2026 is a Monday, the 3rd an odd day.
  assert.equal(next('0 0 */2 * MON', '2026-03-01T12:00:00Z'), '2026-03-02T00:00:00.000Z');
  assert.equal(next('0 0 */2 * MON', '2026-03-02T12:00:00Z'), '2026-03-03T00:00:00.000Z');
  assert.equal(next('0 0 ? * FRI', '2026-03-01T00:00:00Z'), '2026-03-06T00:00:00.000Z');
  assert.equal(next('0 0 1 * ?', '2026-03-02T00:00:00Z'), '2026-04-01T00:00:00.000Z');
});

test('bad schedules are refused', () => {
  assert.throws(() => parseCron('CRON_TZ=Europe/Paris 0 3 * * *'), { message: /time zones \(CRON_TZ=...\) are not supported/ });
  for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '0 0 31 2 *', '*/0 * * * *', '5-1 * * * *', '0 0 * FOO *']) {
    assert.throws(() => nextCronTime(parseCron(bad), 0), { name: 'BadRequest' }, bad);
  }
});
