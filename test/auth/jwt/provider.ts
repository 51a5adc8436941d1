// The real OIDC provider for the browser-flow tests: panva's oidc-provider, in-process on
// loopback, with one confidential client (PKCE required) and email/groups claims. `browse`
// plays the browser: it keeps cookies, follows redirects and posts the development login and
// consent pages, until the provider sends it to a URL outside itself (the redirect URI).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLIENT_ID = 'lockbox';
export const CLIENT_SECRET = 'provider-client-secret-7f3a9c1e';

/** Group memberships of the provider's users. */
export const GROUPS: Record<string, string[]> = { alice: ['engineering', 'everyone'], bob: ['everyone'] };

export async function startProvider(redirectUris: string[]) {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => { res.statusCode = 503; res.end(); };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Imported by name: the package ships no type declarations.
  const name = 'oidc-provider';
  const { default: Provider } = (await import(name)) as { default: new (issuer: string, config: unknown) => { callback(): typeof handler } };
  const provider = new Provider(url, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, application_type: 'native', redirect_uris: redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.com`, email_verified: true, groups: GROUPS[id] ?? [] }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['provider-cookie-key-for-tests'] },
  });
  handler = provider.callback();
  return { url, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** The hidden inputs and action of the page's form. */
function formOf(html: string): { action: string; fields: Record<string, string> } | undefined {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) return undefined;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  return { action: action.replace(/&amp;/g, '&'), fields };
}

/**
 * Opens `start` as a browser would and signs in as `user`; answers the URL the provider finally
 * redirects to outside itself (the redirect URI with code and state), without opening it.
 */
export async function browse(start: string, user: string): Promise<URL> {
  const origin = new URL(start).origin;
  const cookies = new Map<string, string>();
  let next: { url: string; method: string; body?: string } = { url: start, method: 'GET' };
  for (let hops = 0; hops < 20; hops++) {
    const res = await fetch(next.url, {
      method: next.method, redirect: 'manual', body: next.body,
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (location) {
      const target = new URL(location, next.url);
      if (target.origin !== origin) return target;
      next = { url: target.href, method: 'GET' };
      continue;
    }
    const html = await res.text();
    const form = formOf(html);
    if (res.status !== 200 || !form) throw new Error(`provider page ${next.url} answered ${res.status}: ${html.slice(0, 300)}`);
    const fields = form.fields.prompt === 'login' ? { ...form.fields, login: user, password: 'any' } : form.fields;
    next = { url: new URL(form.action, next.url).href, method: 'POST', body: new URLSearchParams(fields).toString() };
  }
  throw new Error('too many redirects at the provider');
}
