// `lockbox login -method=oidc`: the browser flow from a terminal, as Vault's CLI does it. A
// loopback listener receives the provider's redirect, and the CLI completes the callback itself
// with a client nonce only it knows, so a stolen redirect cannot be replayed elsewhere.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { asObject, type Json } from './json.js';
import { attempt, parseData, sanitizePath, type Context } from './command.js';
import { UsageError } from './errors.js';
import { err } from './output.js';

const KEYS = new Set(['role', 'listenaddress', 'port', 'callbackmethod', 'callbackhost', 'callbackport', 'skip_browser']);
/** How long the CLI waits for the browser to come back, as Vault's CLI. */
const WAIT_MS = 2 * 60 * 1000;

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Opens `url` in the desktop's browser; a failure only means the user opens it by hand. */
function openBrowser(url: string): void {
  const [cmd, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  try {
    const child = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => err(`Error opening the browser; open the link above yourself.\n`));
    child.unref();
  } catch {
    // the link is printed already
  }
}

/** Runs the flow; answers the callback's secret (with its auth block). */
export async function oidcLogin(ctx: Context): Promise<Json> {
  const mount = sanitizePath(ctx.args.flag('path') ?? 'oidc');
  const data = await parseData(ctx.args.positional);
  for (const k of Object.keys(data)) if (!KEYS.has(k)) throw new UsageError(`unknown parameter for the oidc method: ${k}`);
  const str = (k: string, fallback: string) => (data[k] === undefined ? fallback : String(data[k]));
  const role = str('role', '');
  const listen = str('listenaddress', 'localhost');
  const port = str('port', '8250');
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`invalid port: ${port}`);
  const redirectUri = `${str('callbackmethod', 'http')}://${str('callbackhost', 'localhost')}:${str('callbackport', port)}/oidc/callback`;
  const skipBrowser = ['true', '1'].includes(str('skip_browser', 'false').toLowerCase());
  const clientNonce = randomBytes(20).toString('hex');
  const client = ctx.client();

  const started = await attempt('authenticating', client.write(`auth/${mount}/oidc/auth_url`, { role, redirect_uri: redirectUri, client_nonce: clientNonce }, 'POST'));
  const authUrl = String(asObject(started?.data)?.auth_url ?? '');
  if (authUrl === '') {
    throw new UsageError(`Unable to authorize role ${JSON.stringify(role)} with redirect_uri ${JSON.stringify(redirectUri)}. Check the server logs for more information.`);
  }

  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<Json>((resolve, reject) => {
    timer = setTimeout(() => reject(new UsageError('timed out waiting for response from provider')), WAIT_MS);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://callback');
      if (url.pathname !== '/oidc/callback') { res.statusCode = 404; res.end(); return; }
      const query: Record<string, string> = { client_nonce: clientNonce };
      for (const k of ['state', 'code', 'id_token']) { const v = url.searchParams.get(k); if (v !== null) query[k] = v; }
      const providerError = url.searchParams.get('error');
      const finish = providerError !== null
        ? Promise.reject(new UsageError(`the provider refused the login: ${providerError} ${url.searchParams.get('error_description') ?? ''}`.trim()))
        : attempt('authenticating', client.request('GET', `auth/${mount}/oidc/callback`, { query, token: null, wrap: false }));
      finish.then((answer) => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Signed in', 'You may close this window and return to the terminal.'));
        resolve((answer as { body?: Json }).body ?? {});
      }, (e: unknown) => {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page('Login failed', escapeHtml(e instanceof Error ? e.message : String(e))));
        reject(e);
      });
    });
    server.on('error', (e) => reject(new UsageError(`cannot listen on ${listen}:${port}: ${e.message}`)));
    server.listen(Number(port), listen);
  });
  try {
    err(skipBrowser
      ? `Complete the login via your OIDC provider. Open the following link in your browser:\n\n    ${authUrl}\n\n\n`
      : `Complete the login via your OIDC provider. Launching browser to:\n\n    ${authUrl}\n\n\n`);
    if (!skipBrowser) openBrowser(authUrl);
    err('Waiting for OIDC authentication to complete...\n');
    return await done;
  } finally {
    clearTimeout(timer);
    server?.closeAllConnections();
    server?.close();
  }
}
