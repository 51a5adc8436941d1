// PostgreSQL's keyword/value connection strings (`host=db port=5432 user={{username}}
// dbname=app sslmode=require`), which Vault's plugin takes besides URLs. The driver reads only
// URLs, so the string is rewritten as one; the {{username}}/{{password}} templates stay as they
// are, to be filled (and URL-escaped) like those of any URL.

import { BadRequest } from '../../util/errors.js';

const TEMPLATE = /(\{\{\s*(?:username|password)\s*\}\})/;

/** Whether the text is a keyword/value string rather than a URL. */
export const isKeywordString = (text: string) => /^\s*[A-Za-z_]+\s*=/.test(text);

/** Parses libpq's syntax: `key = value` pairs, values bare or single-quoted, `\` escaping. */
export function parseKeywords(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s'\\]|\\.)*))/y;
  let at = 0;
  while (!/^\s*$/.test(text.slice(at))) {
    re.lastIndex = at;
    const m = re.exec(text);
    // The text may hold a password, so the message quotes none of it.
    if (!m) throw new BadRequest('connection_url is neither a URL nor a keyword/value string such as "host=db port=5432 user={{username}} password={{password}}"');
    at = re.lastIndex;
    out.set(m[1]!, (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

/** URL-escapes a value, leaving its templates for fillConnectionUrl. */
const escapeKeepingTemplates = (value: string) =>
  value.split(TEMPLATE).map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part))).join('');

/** The keyword/value string as a postgresql:// URL. */
export function keywordsToUrl(text: string): string {
  const kw = parseKeywords(text);
  const take = (key: string) => { const v = kw.get(key); kw.delete(key); return v; };
  const user = take('user');
  const password = take('password');
  let host = take('host') ?? '';
  const port = take('port');
  const dbname = take('dbname');
  // A socket folder cannot sit in a URL's authority; the driver takes it as ?host=.
  if (host.startsWith('/')) { kw.set('host', host); host = ''; }
  const auth = user === undefined ? '' : `${escapeKeepingTemplates(user)}${password === undefined ? '' : `:${escapeKeepingTemplates(password)}`}@`;
  const query = [...kw].map(([k, v]) => `${encodeURIComponent(k)}=${escapeKeepingTemplates(v)}`).join('&');
  return `postgresql://${auth}${host}${port ? `:${port}` : ''}/${dbname === undefined ? '' : escapeKeepingTemplates(dbname)}${query ? `?${query}` : ''}`;
}
