// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"), which Vault's `timestamp`
// template function takes, rendered for a moment in UTC. The layout is read left to right as
// Go's time package reads it: at each place the longest token wins, anything else is literal.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, width: number, fill = '0') => String(n).padStart(width, fill);

type Parts = { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; wd: number; yd: number };

/** Tokens, longest first where one is the start of another. */
const TOKENS: Array<[string, (p: Parts) => string]> = [
  ['January', (p) => MONTHS[p.mo - 1]!], ['Jan', (p) => MONTHS[p.mo - 1]!.slice(0, 3)],
  ['Monday', (p) => DAYS[p.wd]!], ['Mon', (p) => DAYS[p.wd]!.slice(0, 3)], ['MST', () => 'UTC'],
  ['2006', (p) => pad(p.y, 4)], ['_2006', (p) => `_${pad(p.y, 4)}`], ['002', (p) => pad(p.yd, 3)], ['__2', (p) => pad(p.yd, 3, ' ')], ['_2', (p) => pad(p.d, 2, ' ')],
  ['01', (p) => pad(p.mo, 2)], ['02', (p) => pad(p.d, 2)], ['03', (p) => pad(p.h % 12 || 12, 2)],
  ['04', (p) => pad(p.mi, 2)], ['05', (p) => pad(p.s, 2)], ['06', (p) => pad(p.y % 100, 2)],
  ['15', (p) => pad(p.h, 2)], ['1', (p) => String(p.mo)], ['2', (p) => String(p.d)], ['3', (p) => String(p.h % 12 || 12)],
  ['4', (p) => String(p.mi)], ['5', (p) => String(p.s)], ['PM', (p) => (p.h < 12 ? 'AM' : 'PM')], ['pm', (p) => (p.h < 12 ? 'am' : 'pm')],
  ['-07:00:00', () => '+00:00:00'], ['-070000', () => '+000000'], ['-07:00', () => '+00:00'], ['-0700', () => '+0000'], ['-07', () => '+00'],
  ['Z07:00:00', () => 'Z'], ['Z070000', () => 'Z'], ['Z07:00', () => 'Z'], ['Z0700', () => 'Z'], ['Z07', () => 'Z'],
];

/** Go's fractional seconds: ".000" keeps its width, ".999" drops trailing zeros (and the dot). */
function fraction(layout: string, at: number, ms: number): [string, number] | undefined {
  const m = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(at));
  if (!m) return undefined;
  const digits = `${pad(ms, 3)}000000`.slice(0, m[1]!.length);
  if (m[1]![0] === '0') return [layout[at] + digits, m[0].length];
  const trimmed = digits.replace(/0+$/, '');
  return [trimmed === '' ? '' : layout[at] + trimmed, m[0].length];
}

/** Formats `at` (UTC) with a Go layout. */
export function formatGoTime(layout: string, at: Date): string {
  const start = Date.UTC(at.getUTCFullYear(), 0, 1);
  const p: Parts = {
    y: at.getUTCFullYear(), mo: at.getUTCMonth() + 1, d: at.getUTCDate(), h: at.getUTCHours(), mi: at.getUTCMinutes(),
    s: at.getUTCSeconds(), ms: at.getUTCMilliseconds(), wd: at.getUTCDay(), yd: Math.floor((at.getTime() - start) / 86_400_000) + 1,
  };
  let out = '';
  for (let i = 0; i < layout.length;) {
    const frac = fraction(layout, i, p.ms);
    if (frac) { out += frac[0]; i += frac[1]; continue; }
    const token = TOKENS.find(([t]) => layout.startsWith(t, i));
    if (token) { out += token[1](p); i += token[0].length; continue; }
    out += layout[i];
    i++;
  }
  return out;
}
