// Passwords written into a connection_url itself (`postgresql://app:secret@db/`, the MySQL DSN
// `app:secret@tcp(db:3306)/`) instead of the {{password}} template. Vault warns about them at
// write and shows them as "xxxxx" on read; a templated password is no secret and stays. An
// inline private key (PostgreSQL's sslinline) is never shown either.
import { isKeywordString } from './pg-keywords.js';

/** Where the userinfo's password sits in a URL or DSN: [start, end) of the text, if any. */
function passwordSpan(url: string): [number, number] | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url);
  if (scheme) {
    const start = scheme[0].length;
    const rest = url.slice(start);
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    const at = authority.lastIndexOf('@');
    const colon = authority.indexOf(':');
    if (at === -1 || colon === -1 || colon > at) return undefined;
    return [start + colon + 1, start + at];
  }
  if (isKeywordString(url)) {
    // PostgreSQL's keyword/value form: password=secret or password='se cret'.
    const kv = /(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)*)/.exec(url);
    return kv ? [kv.index + kv[0].length - kv[1]!.length, kv.index + kv[0].length] : undefined;
  }
  // Go's MySQL DSN: user:password@net(address)/db.
  const dsn = /^([^:@/]*):([^@]*)@/.exec(url);
  return dsn ? [dsn[1]!.length + 1, dsn[0].length - 1] : undefined;
}

const isTemplate = (password: string) => /\{\{\s*password\s*\}\}/.test(password);

/** Whether the URL carries a literal password. */
export function passwordInUrl(url: string): boolean {
  const span = passwordSpan(url);
  return span !== undefined && !isTemplate(url.slice(...span));
}

/** The URL as a read shows it: a literal password, and an inline private key, become "xxxxx". */
export function redactUrl(url: string): string {
  const span = passwordSpan(url);
  const shown = !span || isTemplate(url.slice(...span)) ? url : `${url.slice(0, span[0])}xxxxx${url.slice(span[1])}`;
  return redactInlineKey(shown);
}

const decoded = (text: string) => { try { return decodeURIComponent(text.replace(/\+/g, ' ')); } catch { return text; } };

/**
 * sslinline's sslkey holds the client's private key itself (a file path is no secret and
 * stays): a read never shows it, in a URL's query or a keyword/value string.
 */
function redactInlineKey(url: string): string {
  return url
    .replace(/([?&]sslkey=)([^&#]*)/g, (whole, head: string, value: string) => (decoded(value).includes('-----BEGIN') ? `${head}xxxxx` : whole))
    .replace(/((?:^|\s)sslkey\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/g, (whole, head: string, value: string) => (value.includes('-----BEGIN') ? `${head}xxxxx` : whole));
}
