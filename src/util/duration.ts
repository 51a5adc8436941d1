// Vault's duration syntax: an integer is seconds; a string is seconds ("300") or Go-style
// units ("1h30m", "90s", "1.5h", "5d" is not Go but Vault's parseutil accepts "d").

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

/**
 * Parses a duration to whole seconds (fractions dropped: Vault keeps second granularity);
 * undefined when it is not a duration or is negative. Used for field values and policies.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (m === null || m.index !== start) return undefined;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.floor(total) : undefined;
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
