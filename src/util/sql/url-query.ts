// A URL's query parameters read and removed on its raw text. Re-serialising the query
// (URLSearchParams.toString) would percent-encode `{{username}}`/`{{password}}` and the
// templates would no longer be filled, so removal keeps every other pair byte for byte.

/** The URL's query parameters, decoded (an empty set when it has no query). */
export function queryParams(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

/** The URL without the query pairs whose (decoded) key is one of `keys`; the rest kept as written. */
export function withoutParams(url: string, keys: readonly string[]): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const drop = new Set(keys);
  const keyOf = (pair: string) => {
    const raw = pair.split('=', 1)[0]!.replace(/\+/g, ' ');
    try { return decodeURIComponent(raw); } catch { return raw; }
  };
  const rest = url.slice(q + 1).split('&').filter((pair) => pair !== '' && !drop.has(keyOf(pair))).join('&');
  return `${url.slice(0, q)}${rest ? `?${rest}` : ''}`;
}
