// The UI's only way to the server: Vault's /v1/ API with the X-Vault-Token header, exactly as
// every other client uses it. Errors keep the server's own messages, which the screens show.

export type Json = Record<string, any>;

/** A non-2xx answer: its status and Vault's `errors` list. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: string[];
  constructor(status: number, errors: string[]) {
    super(errors.length > 0 ? errors.join('; ') : `request failed with status ${status}`);
    this.status = status;
    this.errors = errors;
  }
}

/** Where the token comes from and who hears of a 403 with it (the session, see session.ts). */
const hooks = { token: (): string => '', forbidden: (_token: string): void => {} };
export function configureApi(next: typeof hooks): void {
  Object.assign(hooks, next);
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'LIST' | 'PATCH';

/**
 * Calls /v1/<path>. LIST goes out as GET ?list=true (browsers cannot send a LIST method);
 * a 404 on a read or list answers undefined, as Vault's clients treat it ("nothing there").
 */
export async function api(method: Method, path: string, body?: unknown, opts: { token?: string | null; contentType?: string } = {}): Promise<Json | undefined> {
  const list = method === 'LIST';
  const url = `/v1/${path}${list ? (path.includes('?') ? '&' : '?') + 'list=true' : ''}`;
  const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
  const token = opts.token === undefined ? hooks.token() : opts.token;
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  const res = await fetch(url, {
    method: list ? 'GET' : method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Json) : undefined;
  if (res.ok) return json;
  if (res.status === 404 && (method === 'GET' || list)) return undefined;
  const error = new ApiError(res.status, Array.isArray(json?.errors) ? json.errors : []);
  // A 403 may mean the token itself is gone (revoked or expired): find out and log out if so.
  if (res.status === 403 && token) hooks.forbidden(token);
  throw error;
}

/** The `keys` of a LIST answer, or [] when there is nothing. */
export async function listKeys(path: string): Promise<string[]> {
  const res = await api('LIST', path);
  return (res?.data?.keys as string[] | undefined) ?? [];
}

/** Encodes each segment of a secret path for the URL, keeping the slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
