// The web UI's static files, served at /ui/ when the server runs with `ui = true`. Files are
// read once at start-up (the build is small) and kept gzipped; every answer carries a strict
// Content-Security-Policy, so the page can run only its own script and talk only to this origin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type http from 'node:http';

/** One file, ready to send. */
type StaticFile = { type: string; body: Buffer; gzipped: Buffer; immutable: boolean };

/** The UI's files by URL path under /ui/. */
export type StaticSite = { files: ReadonlyMap<string, StaticFile> };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/** The headers every UI answer carries: no framing, no sniffing, no third party, no inline script. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Loads a built UI folder; undefined when it has not been built (the server then has no /ui/). */
export function loadStaticSite(dir: string): StaticSite | undefined {
  let names: string[];
  try {
    names = walk(dir);
  } catch {
    return undefined;
  }
  const files = new Map<string, StaticFile>();
  for (const path of names) {
    const body = readFileSync(path);
    const url = relative(dir, path).split(sep).join('/');
    // Hashed asset names never change content, so browsers may keep them; index.html must not be kept.
    files.set(url, { type: TYPES[extname(path)] ?? 'application/octet-stream', body, gzipped: gzipSync(body), immutable: url.startsWith('assets/') });
  }
  return files.has('index.html') ? { files } : undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Answers a GET or HEAD under /ui/ (or / itself, which redirects there as Vault's does).
 * Returns false when the request is not the UI's. Unknown paths get index.html: the UI routes
 * on the client, so a reload of /ui/secrets/... must load the app.
 */
export function serveStatic(site: StaticSite, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/' || pathname === '/ui') {
    res.writeHead(307, { Location: '/ui/', ...UI_SECURITY_HEADERS }).end();
    return true;
  }
  if (!pathname.startsWith('/ui/')) return false;
  const wanted = pathname.slice('/ui/'.length);
  const file = site.files.get(wanted) ?? (wanted.startsWith('assets/') ? undefined : site.files.get('index.html'));
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...UI_SECURITY_HEADERS }).end('not found');
    return true;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? file.gzipped : file.body;
  res.writeHead(200, {
    'Content-Type': file.type, 'Content-Length': body.length, Vary: 'Accept-Encoding',
    'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), ...UI_SECURITY_HEADERS,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
