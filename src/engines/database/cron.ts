// Standard five-field cron schedules (minute hour day-of-month month day-of-week), as Vault's
// rotation_schedule takes them: `*`, lists, ranges and steps; names like MON or JAN; evaluated
// in UTC. As in cron, when both day fields are restricted a day matching either one counts;
// as in the cron library Vault uses, `?` means `*`, and a field counts as unrestricted only
// when it is `*` or `?` without a step ("*/2" restricts its field).
import { BadRequest } from '../../util/errors.js';

/** A parsed schedule: the allowed values of each field. */
export type CronSchedule = { minutes: Set<number>; hours: Set<number>; days: Set<number>; months: Set<number>; weekdays: Set<number>; anyDay: boolean; anyWeekday: boolean };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> {
  const value = (s: string): number => {
    const named = names.indexOf(s.toLowerCase());
    const n = named >= 0 ? named + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new BadRequest(`invalid rotation_schedule: "${text}" is out of range`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new BadRequest(`invalid rotation_schedule: bad step in "${text}"`);
    const [lo, hi] = range === '*' || range === '?' ? [min, max] : range.includes('-')
      ? range.split('-').map(value) as [number, number]
      : [value(range), stepText === undefined ? value(range) : max];
    if (lo > hi) throw new BadRequest(`invalid rotation_schedule: "${text}" is an empty range`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Whether a field leaves its part of the date unrestricted. */
const isStar = (text: string) => text.split(',').some((part) => /^[*?](\/1)?$/.test(part));

/** Parses a schedule; throws BadRequest naming the problem. */
export function parseCron(text: string): CronSchedule {
  // Vault's cron library also takes a "CRON_TZ=Zone " prefix; here every schedule is UTC.
  if (/^\s*(CRON_)?TZ=/.test(text)) throw new BadRequest('invalid rotation_schedule: time zones (CRON_TZ=...) are not supported; schedules are in UTC');
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) throw new BadRequest('invalid rotation_schedule: expected 5 fields (minute hour day-of-month month day-of-week)');
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const weekdays = parseField(dow, 0, 7, WEEKDAYS);
  if (weekdays.delete(7)) weekdays.add(0); // 7 is Sunday too
  return {
    minutes: parseField(mi, 0, 59), hours: parseField(h, 0, 23), days: parseField(dom, 1, 31),
    months: parseField(mon, 1, 12, MONTHS, 1), weekdays, anyDay: isStar(dom), anyWeekday: isStar(dow),
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return dow;
  if (s.anyWeekday) return dom;
  return dom || dow;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Far enough for any satisfiable schedule (29 February needs up to 8 years). */
const HORIZON = 9 * 366 * DAY;

/** The first time strictly after `afterMs` that the schedule fires (epoch ms). */
export function nextCronTime(s: CronSchedule, afterMs: number): number {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = afterMs + HORIZON;
  while (t <= limit) {
    const d = new Date(t);
    if (!dayMatches(s, d)) { t = Math.floor(t / DAY) * DAY + DAY; continue; }
    if (!s.hours.has(d.getUTCHours())) { t = Math.floor(t / HOUR) * HOUR + HOUR; continue; }
    if (!s.minutes.has(d.getUTCMinutes())) { t += MINUTE; continue; }
    return t;
  }
  throw new BadRequest('invalid rotation_schedule: it never fires');
}
