// Statement templates as Vault runs them: each configured statement is split on ';' first and
// then filled in, so a value containing ';' never splits a query. As in Vault's plugins, a
// statement may also be base64 or a JSON list; a PostgreSQL statement with a dollar-quoted
// body is kept whole (isDollarQuoted says how that differs from Vault's rule).
import type { StatementValues } from './types.js';

/** Vault's `{{expiration}}` layout: "2006-01-02 15:04:05-0700", in UTC. */
export function formatExpiration(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')}+0000`;
}

/** Text that is standard base64 (Go's StdEncoding, line breaks ignored) of UTF-8 text, decoded. */
function fromBase64(text: string): string | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  try {
    // A plain word ("ROLLBACK", "TEST") is base64 too; its bytes are rarely text, so only
    // UTF-8 without control characters counts as decoded, and anything else stays SQL.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
    return /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Text that is a JSON list of strings, as that list. */
function fromJsonList(text: string): string[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) && list.every((x) => typeof x === 'string') ? list : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One configured statement as queries, read as Vault's plugins read it: base64 is decoded
 * first, a JSON list of strings is that list, anything else is split on ';'.
 */
export function splitStatement(statement: string): string[] {
  const text = fromBase64(statement) ?? statement;
  return fromJsonList(text) ?? text.split(';');
}

/** A dollar-quoted string: `$$` or `$tag$`, up to the same closing tag. */
const DOLLAR_QUOTED = /\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/;

/**
 * Whether a PostgreSQL statement has a dollar-quoted body ($$ … $$ or $tag$ … $tag$, outside
 * '…' literals): then it runs whole. This is our rule, not Vault's: Vault's plugin runs a
 * statement whole when it finds END as a word outside quotes. Both keep DO blocks and
 * functions in dollar quotes whole; a BEGIN … END without them is split here.
 */
export const isDollarQuoted = (statement: string) => DOLLAR_QUOTED.test(statement.replace(/'[^']*'/g, ''));

/**
 * Splits statements into single queries and fills in their templates. With `dollarQuoted`
 * (PostgreSQL), a statement with a dollar-quoted body (DO $$ … $$, CREATE FUNCTION … AS
 * $fn$ … $fn$) is one query, so a ';' inside its strings is left as written.
 */
export function renderStatements(statements: string[], values: StatementValues, opts: { dollarQuoted?: boolean } = {}): string[] {
  const subs: Record<string, string> = { name: values.username, username: values.username };
  if (values.password !== undefined) subs.password = values.password;
  if (values.expiration !== undefined) subs.expiration = formatExpiration(values.expiration);
  return statements
    .flatMap((s) => (opts.dollarQuoted && isDollarQuoted(s) ? [s] : splitStatement(s)))
    .map((q) => q.trim())
    .filter((q) => q !== '')
    .map((q) => q.replace(/\{\{\s*(name|username|password|expiration)\s*\}\}/g, (whole, key: string) => subs[key] ?? whole));
}

/** Removes the password and the URL's credentials from a driver's message before anyone sees it. */
export function scrubMessage(message: string, secrets: string[]): string {
  let out = message.replace(/\/\/[^/@\s]*@/g, '//*****@');
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('*****');
  return out;
}

/** Fills `{{username}}`/`{{password}}` in a connection URL, URL-escaped unless asked not to. */
export function fillConnectionUrl(template: string, username: string, password: string, disableEscaping: boolean): string {
  const esc = disableEscaping ? (s: string) => s : encodeURIComponent;
  return template.replace(/\{\{\s*username\s*\}\}/g, () => esc(username)).replace(/\{\{\s*password\s*\}\}/g, () => esc(password));
}
