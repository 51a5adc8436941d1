// Standard five-field cron schedules (minute hour day-of-month month day-of-week), as Vault's
// rotation_schedule takes them: `*`, lists, ranges and steps; names like MON or JAN; evaluated
// in UTC unless the schedule starts with "CRON_TZ=Zone " (or "TZ=Zone "), as Vault's cron
// library takes it: then its fields are the wall-clock time of that IANA zone, daylight saving
// included. As in cron, when both day fields are restricted a day matching either one counts;
// as in the cron library Vault uses, `?` means `*`, and a field counts as unrestricted only
// when it is `*` or `?` without a step ("*/2" restricts its field).
import { BadRequest } from '../../util/errors.js';

/** A parsed schedule: the allowed values of each field. */
export type CronSchedule = {
  minutes: Set<number>; hours: Set<number>; days: Set<number>; months: Set<number>; weekdays: Set<number>; anyDay: boolean; anyWeekday: boolean;
  /** IANA zone of the fields; undefined = UTC. */
  zone?: string;
};

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

const ZONE_PREFIX = /^(?:CRON_)?TZ=(\S*)\s+/;

/** The zone of a CRON_TZ= prefix, checked; Go's names "UTC" and "Local" are taken too. */
function zoneOf(name: string): string | undefined {
  if (name === '' || name === 'UTC') return undefined;
  if (name === 'Local') return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  // Zone names only: Intl would also take offsets such as "+05:00", which Go refuses.
  const refused = new BadRequest(`invalid rotation_schedule: unknown time zone "${name}"`);
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) throw refused;
  try {
    return wallClock(name).resolvedOptions().timeZone;
  } catch {
    throw refused;
  }
}

/** Parses a schedule; throws BadRequest naming the problem. */
export function parseCron(text: string): CronSchedule {
  const prefix = ZONE_PREFIX.exec(text);
  const zone = prefix ? zoneOf(prefix[1]!) : undefined;
  if (!prefix && /^\s*(CRON_)?TZ=/.test(text)) throw new BadRequest('invalid rotation_schedule: a CRON_TZ= zone must be followed by the five fields');
  const fields = (prefix ? text.slice(prefix[0].length) : text).trim().split(/\s+/);
  if (fields.length !== 5) throw new BadRequest('invalid rotation_schedule: expected 5 fields (minute hour day-of-month month day-of-week)');
  const [mi, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const weekdays = parseField(dow, 0, 7, WEEKDAYS);
  if (weekdays.delete(7)) weekdays.add(0); // 7 is Sunday too
  return {
    minutes: parseField(mi, 0, 59), hours: parseField(h, 0, 23), days: parseField(dom, 1, 31),
    months: parseField(mon, 1, 12, MONTHS, 1), weekdays, anyDay: isStar(dom), anyWeekday: isStar(dow),
    ...(zone ? { zone } : {}),
  };
}

/** The wall-clock fields the schedule is matched against. */
type Wall = { month: number; day: number; weekday: number; hour: number; minute: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter giving a zone's wall-clock time (cached: making one is the costly part). */
function wallClock(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

function wallTime(t: number, zone: string | undefined): Wall {
  const d = new Date(t);
  if (zone === undefined) return { month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  const parts: Record<string, string> = {};
  for (const p of wallClock(zone).formatToParts(d)) parts[p.type] = p.value;
  return {
    month: Number(parts.month), day: Number(parts.day), weekday: WEEKDAYS.indexOf(parts.weekday!.toLowerCase()),
    hour: Number(parts.hour), minute: Number(parts.minute),
  };
}

function dayMatches(s: CronSchedule, w: Wall): boolean {
  if (!s.months.has(w.month)) return false;
  const dom = s.days.has(w.day);
  const dow = s.weekdays.has(w.weekday);
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return dow;
  if (s.anyWeekday) return dom;
  return dom || dow;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Far enough for any satisfiable schedule (29 February needs up to 8 years). */
const HORIZON = 9 * 366 * DAY;

/**
 * The first time strictly after `afterMs` that the schedule fires (epoch ms). It steps through
 * wall-clock time, skipping a day or an hour that cannot match; a skip stops short of a zone's
 * daylight-saving change (it aims an hour early on the way to midnight), never past a match.
 */
export function nextCronTime(s: CronSchedule, afterMs: number): number {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = afterMs + HORIZON;
  while (t <= limit) {
    const w = wallTime(t, s.zone);
    if (!dayMatches(s, w)) {
      const toMidnight = (24 - w.hour) * 60 - w.minute;
      t += (s.zone !== undefined && w.hour < 23 ? toMidnight - 60 : toMidnight) * MINUTE;
      continue;
    }
    if (!s.hours.has(w.hour)) { t += (60 - w.minute) * MINUTE; continue; }
    if (!s.minutes.has(w.minute)) { t += MINUTE; continue; }
    return t;
  }
  throw new BadRequest('invalid rotation_schedule: it never fires');
}
