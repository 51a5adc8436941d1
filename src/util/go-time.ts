// Go's time.Format layouts (reference time Mon Jan 2 15:04:05 MST 2006), for the `timestamp`
// template functions of consul-template (agent templates) and Vault (database username templates).
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, w: number, c = '0'): string => String(n).padStart(w, c);

interface Parts {
  year: number; month: number; day: number; yday: number; wday: number;
  hour: number; min: number; sec: number; nanos: number; offsetMin: number; zone: string;
}

function parts(d: Date, offsetMin: number, zone: string): Parts {
  const t = new Date(d.getTime() + offsetMin * 60_000);
  const start = Date.UTC(t.getUTCFullYear(), 0, 1);
  return {
    year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(),
    yday: Math.floor((Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - start) / 86_400_000) + 1,
    wday: t.getUTCDay(), hour: t.getUTCHours(), min: t.getUTCMinutes(), sec: t.getUTCSeconds(),
    nanos: t.getUTCMilliseconds() * 1_000_000, offsetMin, zone,
  };
}

function zoneOffset(p: Parts, z: boolean, colon: boolean, withMin: boolean, withSec: boolean): string {
  if (z && p.offsetMin === 0) return 'Z';
  const sign = p.offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetMin);
  let s = sign + pad(Math.floor(abs / 60), 2);
  if (withMin) s += (colon ? ':' : '') + pad(abs % 60, 2);
  if (withSec) s += (colon ? ':' : '') + '00';
  return s;
}

// Layout elements, longest first where one is a prefix of another.
const tokens: [string, (p: Parts) => string][] = [
  ['January', (p) => months[p.month - 1]!], ['Jan', (p) => months[p.month - 1]!.slice(0, 3)],
  ['Monday', (p) => days[p.wday]!], ['Mon', (p) => days[p.wday]!.slice(0, 3)], ['MST', (p) => p.zone],
  ['2006', (p) => pad(p.year, 4)], ['2', (p) => String(p.day)],
  ['002', (p) => pad(p.yday, 3)], ['__2', (p) => pad(p.yday, 3, ' ')], ['_2', (p) => pad(p.day, 2, ' ')],
  ['01', (p) => pad(p.month, 2)], ['02', (p) => pad(p.day, 2)], ['03', (p) => pad(p.hour % 12 || 12, 2)],
  ['04', (p) => pad(p.min, 2)], ['05', (p) => pad(p.sec, 2)], ['06', (p) => pad(p.year % 100, 2)],
  ['15', (p) => pad(p.hour, 2)], ['1', (p) => String(p.month)], ['3', (p) => String(p.hour % 12 || 12)],
  ['4', (p) => String(p.min)], ['5', (p) => String(p.sec)],
  ['PM', (p) => (p.hour >= 12 ? 'PM' : 'AM')], ['pm', (p) => (p.hour >= 12 ? 'pm' : 'am')],
  ['-07:00:00', (p) => zoneOffset(p, false, true, true, true)], ['-070000', (p) => zoneOffset(p, false, false, true, true)],
  ['-07:00', (p) => zoneOffset(p, false, true, true, false)], ['-0700', (p) => zoneOffset(p, false, false, true, false)],
  ['-07', (p) => zoneOffset(p, false, false, false, false)],
  ['Z07:00:00', (p) => zoneOffset(p, true, true, true, true)], ['Z070000', (p) => zoneOffset(p, true, false, true, true)],
  ['Z07:00', (p) => zoneOffset(p, true, true, true, false)], ['Z0700', (p) => zoneOffset(p, true, false, true, false)],
  ['Z07', (p) => zoneOffset(p, true, false, false, false)],
];

/** time.Time.Format for the instant d in a zone offsetMin minutes east of UTC named zone. */
export function formatTime(d: Date, layout: string, offsetMin = 0, zone = 'UTC'): string {
  const p = parts(d, offsetMin, zone);
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    const c = layout[i]!;
    // Fractional seconds: .000 / ,000 (fixed) or .999 (trailing zeros dropped), not followed by a digit.
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const d0 = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === d0) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        const n = j - i - 1;
        let frac = pad(p.nanos, 9).slice(0, Math.min(n, 9));
        if (d0 === '9') frac = frac.replace(/0+$/, '');
        out += frac ? c + frac : '';
        i = j;
        continue;
      }
    }
    if (c === '_' && layout.startsWith('_2006', i)) { out += '_' + pad(p.year, 4); i += 5; continue; }
    for (const [tok, fn] of tokens) {
      if (!layout.startsWith(tok, i)) continue;
      // Go reads "Jan"/"Mon" only when not followed by a lower-case letter ("Janet" stays).
      if ((tok === 'Jan' || tok === 'Mon') && /[a-z]/.test(layout[i + 3] ?? '')) continue;
      out += fn(p);
      i += tok.length;
      continue outer;
    }
    out += c;
    i++;
  }
  return out;
}

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
