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

test('a CRON_TZ= (or TZ=) zone makes the fields that zone\'s wall-clock time, daylight saving included', () => {
  // New York is UTC-5 in winter; daylight saving starts there on 8 March 2026 at 02:00.
  assert.equal(next('CRON_TZ=America/New_York 0 3 * * *', '2026-03-01T00:00:00Z'), '2026-03-01T08:00:00.000Z');
  assert.equal(next('CRON_TZ=America/New_York 0 3 * * *', '2026-03-08T00:00:00Z'), '2026-03-08T07:00:00.000Z');
  // 02:30 does not exist on 8 March there: the next one is the day after.
  assert.equal(next('TZ=America/New_York 30 2 * * *', '2026-03-08T00:00:00Z'), '2026-03-09T06:30:00.000Z');
  // Days and weekdays are the zone's: Sunday 1 March starts at 18:15 UTC in Kathmandu (UTC+5:45).
  assert.equal(next('CRON_TZ=Asia/Kathmandu 0 0 * * MON', '2026-03-01T00:00:00Z'), '2026-03-01T18:15:00.000Z');
  assert.equal(next('CRON_TZ=Europe/Paris 0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-28T23:00:00.000Z');
  assert.equal(next('CRON_TZ=UTC 0 * * * *', '2026-03-01T10:00:00Z'), '2026-03-01T11:00:00.000Z');
  assert.equal(parseCron('CRON_TZ=Europe/Paris 0 3 * * *').zone, 'Europe/Paris');
});

test('bad schedules are refused', () => {
  for (const zone of ['Mars/Olympus', '+05:00', '../etc']) {
    assert.throws(() => parseCron(`CRON_TZ=${zone} 0 3 * * *`), { message: `invalid rotation_schedule: unknown time zone "${zone}"` });
  }
  assert.throws(() => parseCron('CRON_TZ=Europe/Paris'), { name: 'BadRequest' });
  for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '0 0 31 2 *', '*/0 * * * *', '5-1 * * * *', '0 0 * FOO *']) {
    assert.throws(() => nextCronTime(parseCron(bad), 0), { name: 'BadRequest' }, bad);
  }
});
