// Statement templates as Vault runs them: each configured statement is split on ';' first and
// then filled in, so a value containing ';' never splits a query.
import type { StatementValues } from './types.js';

/** Vault's `{{expiration}}` layout: "2006-01-02 15:04:05-0700", in UTC. */
export function formatExpiration(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')}+0000`;
}

/** Splits statements into single queries and fills in their templates. */
export function renderStatements(statements: string[], values: StatementValues): string[] {
  const subs: Record<string, string> = { name: values.username, username: values.username };
  if (values.password !== undefined) subs.password = values.password;
  if (values.expiration !== undefined) subs.expiration = formatExpiration(values.expiration);
  return statements
    .flatMap((s) => s.split(';'))
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
