// Rotation schedules as Secrets Manager takes them: AutomaticallyAfterDays, or a
// ScheduleExpression `rate(N hours|days)` or `cron(0 H DoM Mon DoW *)`, with an optional window
// Duration `<N>h`. Everything is in UTC. A window opens on the hour (a day rate at midnight, a
// cron at its hour), lasts Duration (by default one hour for schedules in hours, the rest of
// the day for schedules in days), never crosses midnight and ends before the next one opens.
import { invalidParameter, validation } from '../errors.js';
import { optInt, optObject, optString, type Input } from '../members.js';

/** The rules as RotateSecret stores and DescribeSecret echoes them. */
export type RotationRules = { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A parsed schedule: the next window opening strictly after a time, and the window length. */
type Schedule = { nextStart(after: number): number; windowMs: number };

type CronFields = { hours: Set<number>; days: DaySpec; months: Set<number>; weekdays: DaySpec };
/** A day field: `?`, a set of values, `L` (last) or `n#k` / `nL` for weekdays. */
type DaySpec = { any: true } | { values: Set<number>; last?: boolean; nth?: { day: number; n: number }; lastOf?: number };

const EXPRESSION = /^[0-9A-Za-z()#?*\-/, ]+$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const badCron = (expr: string) => invalidParameter(`The schedule expression ${expr} is not a valid cron() expression for Secrets Manager: cron(0 Hours Day-of-month Month Day-of-week *).`);

/** Reads RotationRules from a request; model limits are ValidationException, rule breaches InvalidParameterException. */
export function rulesOf(input: Input): RotationRules | undefined {
  const raw = input.RotationRules;
  if (raw === undefined || raw === null) return undefined;
  const rules = optObject(raw, 'RotationRules');
  const days = optInt(rules, 'AutomaticallyAfterDays', { min: 1, max: 1000 });
  const expr = optString(rules, 'ScheduleExpression', { min: 1, max: 256 });
  const duration = optString(rules, 'Duration', { min: 2, max: 3 });
  if (expr !== undefined && !EXPRESSION.test(expr)) {
    throw validation(`1 validation error detected: Value '${expr}' at 'rotationRules.scheduleExpression' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+`);
  }
  if (duration !== undefined && !/^[0-9h]+$/.test(duration)) {
    throw validation(`1 validation error detected: Value '${duration}' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9h]+`);
  }
  if (days !== undefined && expr !== undefined) throw invalidParameter('You cannot specify both rotation frequency and schedule expression together.');
  const out: RotationRules = {
    ...(days !== undefined ? { AutomaticallyAfterDays: days } : {}),
    ...(expr !== undefined ? { ScheduleExpression: expr } : {}),
    ...(duration !== undefined ? { Duration: duration } : {}),
  };
  if (days === undefined && expr === undefined) {
    if (duration !== undefined) throw invalidParameter('A rotation window Duration needs a rotation schedule: set AutomaticallyAfterDays or ScheduleExpression.');
    return out;
  }
  scheduleOf(out); // validates
  return out;
}

/** Hours in a Duration: `<N>h`, 1 to 24. */
function durationHours(text: string): number {
  const m = /^([0-9]{1,2})h$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 24) throw invalidParameter(`The rotation window Duration ${text} is not valid: use a number of hours from 1h to 24h.`);
  return n;
}

const startOfDay = (t: number) => Math.floor(t / DAY) * DAY;

/** The schedule the rules describe, or undefined when there is none (rotation on demand only). */
export function scheduleOf(rules: RotationRules | undefined): Schedule | undefined {
  if (!rules) return undefined;
  const hours = rules.Duration !== undefined ? durationHours(rules.Duration) : undefined;
  if (rules.AutomaticallyAfterDays !== undefined) return daysRate(rules.AutomaticallyAfterDays, hours);
  const expr = rules.ScheduleExpression;
  if (expr === undefined) return undefined;
  const rate = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    if (rate[2]!.startsWith('day')) {
      if (n < 1 || n > 999) throw invalidParameter(`The schedule expression ${expr} is not valid: a rate in days must be from 1 to 999 days.`);
      return daysRate(n, hours);
    }
    if (n < 4 || n > 999 * 24) throw invalidParameter(`The schedule expression ${expr} is not valid: a rate in hours must be from 4 hours to 999 days.`);
    const window = hours ?? 1;
    if (window > n) throw invalidParameter(`The rotation window Duration ${rules.Duration} extends into the next rotation window: it must be at most ${n}h for ${expr}.`);
    // Windows open on the hour, every n hours from the last one.
    return { nextStart: (after) => Math.floor(after / HOUR) * HOUR + n * HOUR, windowMs: window * HOUR };
  }
  if (/^cron\(.*\)$/.test(expr)) return cronSchedule(expr, hours, rules.Duration);
  throw invalidParameter(`The schedule expression ${expr} is not valid: use rate() or cron().`);
}

function daysRate(n: number, hours: number | undefined): Schedule {
  return { nextStart: (after) => startOfDay(after) + n * DAY, windowMs: (hours ?? 24) * HOUR };
}

/** One cron field of numbers (with names, `*`, lists, ranges and steps). */
function numbers(text: string, min: number, max: number, expr: string, names: string[] = [], base = 0): Set<number> {
  const value = (s: string) => {
    const named = names.indexOf(s.toUpperCase());
    const n = named >= 0 ? named + base : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw badCron(expr);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : NaN;
    if (!Number.isInteger(step) || step < 1) throw badCron(expr);
    const bounds = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(value) : [value(range), stepText === undefined ? value(range) : max];
    if (bounds.length !== 2 || bounds[0]! > bounds[1]!) throw badCron(expr);
    for (let v = bounds[0]!; v <= bounds[1]!; v += step) out.add(v);
  }
  return out;
}

function dayOfMonth(text: string, expr: string): DaySpec {
  if (text === '?') return { any: true };
  if (text === 'L') return { values: new Set(), last: true };
  return { values: numbers(text, 1, 31, expr) };
}

function dayOfWeek(text: string, expr: string): DaySpec {
  if (text === '?') return { any: true };
  const day = (s: string) => {
    const named = WEEKDAYS.indexOf(s.toUpperCase());
    const n = named >= 0 ? named + 1 : /^[1-7]$/.test(s) ? Number(s) : NaN;
    if (Number.isNaN(n)) throw badCron(expr);
    return n;
  };
  const nth = /^([^#]+)#([1-5])$/.exec(text);
  if (nth) return { values: new Set(), nth: { day: day(nth[1]!), n: Number(nth[2]) } };
  if (text === 'L') return { values: new Set([7]) };
  const last = /^(.+)L$/.exec(text);
  if (last) return { values: new Set(), lastOf: day(last[1]!) };
  return { values: numbers(text, 1, 7, expr, WEEKDAYS, 1) };
}

function parseCron(expr: string): CronFields {
  const fields = expr.slice(5, -1).trim().split(/\s+/);
  if (fields.length !== 6) throw badCron(expr);
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // Windows open on the hour, and schedules repeat within a year.
  if (minutes !== '0' || year !== '*') throw badCron(expr);
  const days = dayOfMonth(dom, expr);
  const weekdays = dayOfWeek(dow, expr);
  // Exactly one of the day fields is `?`, as in every AWS cron.
  if (('any' in days) === ('any' in weekdays)) throw badCron(expr);
  return { hours: numbers(hours, 0, 23, expr), days, months: numbers(month, 1, 12, expr, MONTHS, 1), weekdays };
}

function matchesDay(spec: DaySpec, d: Date, weekday: boolean): boolean {
  if ('any' in spec) return true;
  const date = d.getUTCDate();
  const lastDate = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  if (!weekday) return spec.last ? date === lastDate : spec.values.has(date);
  const dow = d.getUTCDay() + 1;
  if (spec.nth) return dow === spec.nth.day && Math.ceil(date / 7) === spec.nth.n;
  if (spec.lastOf !== undefined) return dow === spec.lastOf && date + 7 > lastDate;
  return spec.values.has(dow);
}

function cronSchedule(expr: string, windowHours: number | undefined, duration: string | undefined): Schedule {
  const c = parseCron(expr);
  const hours = [...c.hours].sort((a, b) => a - b);
  // A schedule "in hours" (several windows a day) defaults to one-hour windows.
  const window = windowHours ?? (hours.length > 1 ? 1 : 24 - hours[0]!);
  for (let i = 0; i < hours.length; i++) {
    if (hours[i]! + window > 24) throw invalidParameter(`The rotation window Duration ${duration} extends into the next UTC day for ${expr}.`);
    if (i + 1 < hours.length && hours[i]! + window > hours[i + 1]!) throw invalidParameter(`The rotation window Duration ${duration} extends into the next rotation window for ${expr}.`);
  }
  const dayMatches = (d: Date) => c.months.has(d.getUTCMonth() + 1) && matchesDay(c.days, d, false) && matchesDay(c.weekdays, d, true);
  // Satisfiable schedules repeat within a year; dates like 31 February never come.
  if (![...Array(366).keys()].some((i) => dayMatches(new Date(Date.UTC(2028, 0, 1) + i * DAY)))) throw badCron(expr);
  return {
    windowMs: window * HOUR,
    nextStart(after) {
      for (let day = startOfDay(after); day < after + 4 * 366 * DAY; day += DAY) {
        if (!dayMatches(new Date(day))) continue;
        for (const h of hours) if (day + h * HOUR > after) return day + h * HOUR;
      }
      throw badCron(expr);
    },
  };
}

/** The next window after the last rotation: its start (NextRotationDate) and end. */
export function nextWindow(rules: RotationRules | undefined, after: number): { start: number; end: number } | undefined {
  const s = scheduleOf(rules);
  if (!s) return undefined;
  const start = s.nextStart(after);
  // A window never runs into the next UTC day.
  return { start, end: Math.min(start + s.windowMs, startOfDay(start) + DAY) };
}

/** The rules as DescribeSecret shows them: a rate in days also reads as AutomaticallyAfterDays. */
export function shownRules(rules: RotationRules): RotationRules {
  const m = rules.ScheduleExpression ? /^rate\(\s*(\d+)\s+days?\s*\)$/.exec(rules.ScheduleExpression) : null;
  return m ? { AutomaticallyAfterDays: Number(m[1]), ...rules } : rules;
}
