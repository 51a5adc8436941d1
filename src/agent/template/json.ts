// Server answers parsed with numbers kept as their text (lossless-json's LosslessNumber, Go's
// json.Number), fast: lossless-json's own parser walks every character in JS (about a second
// for a 2 MB secret), so number tokens outside strings are found with a regexp, turned into
// marked strings, and JSON.parse's reviver turns those back into LosslessNumbers.
import { randomBytes } from 'node:crypto';
import { LosslessNumber } from 'lossless-json';

// A string (unrolled so long runs are one step), or a number.
const TOKENS = /"[^"\\]*(?:\\.[^"\\]*)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

export function parseJsonLossless(text: string): unknown {
  // The marker starts with U+0000 (escaped in the text) and a random part, so no string the
  // server sent can be taken for one.
  const marker = `\u0000lbn${randomBytes(6).toString('hex')}:`;
  const escaped = `\\u0000${marker.slice(1)}`;
  const marked = text.replace(TOKENS, (t) => (t.charCodeAt(0) === 0x22 ? t : `"${escaped}${t}"`));
  return JSON.parse(marked, (_key, value: unknown) =>
    (typeof value === 'string' && value.startsWith(marker) ? new LosslessNumber(value.slice(marker.length)) : value));
}
