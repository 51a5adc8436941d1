// Wrapping TTLs in policies are written as Vault writes durations: a number of seconds, a
// string of digits (seconds), or a Go-style duration such as "90s", "1h30m" or "1.5h".
// Vault also accepts a "d" (days) unit there, so we do too.

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

/**
 * Parses a policy duration to whole seconds (fractions dropped: Vault keeps second
 * granularity); undefined when it is not a duration or is negative.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const seconds = parseGoDuration(text);
  return seconds === undefined ? undefined : Math.floor(seconds);
}

function parseGoDuration(text: string): number | undefined {
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (match === null || match.index !== start) return undefined;
    total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}
