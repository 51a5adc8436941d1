// Vault's duration syntax: an integer is seconds; a string is seconds ("300") or Go-style
// units ("1h30m", "90s", "1.5h", "5d" is not Go but Vault's parseutil accepts "d").

/** Each unit in nanoseconds, as Go's time.ParseDuration counts ("d" is Vault's parseutil's). */
const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n,
};

const PART = /(\d*)(?:\.(\d*))?(ns|us|µs|ms|s|m|h|d)/y;
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Parses a duration to whole seconds (fractions dropped: Vault keeps second granularity);
 * undefined when it is not a duration or is negative. Used for field values and policies.
 * Counted in integer nanoseconds as Go does, so "8.2m" is 492 s (8.2 × 60 in floating point
 * is 491.99…, which truncation would turn into 491).
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  let nanos = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (m === null || m.index !== start) return undefined;
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    // A number needs a digit on one side of its point ("1.", ".5" and "1.5" but not ".").
    if (whole === '' && fraction === '') return undefined;
    const unit = UNIT_NANOS[m[3] ?? ''] as bigint;
    nanos += BigInt(whole || '0') * unit;
    if (fraction !== '') nanos += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
  }
  const seconds = Number(nanos / NANOS_PER_SECOND);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** Formats seconds the way Go's time.Duration prints them ("0s", "1h0m0s", "90s" → "1m30s"). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
