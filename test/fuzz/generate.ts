// Seeded request generation for the fuzz target (test/fuzz/requests.test.ts) and its longer run
// (bench/fuzz.ts): random methods, paths built from every declared path of every mount, bodies
// deep and wide, odd headers and tokens. Same seed, same requests.
import type { Core } from '../../src/core/core.js';

/** mulberry32: small, fast, good enough to pick test inputs; never for anything secret. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated request. */
export type FuzzRequest = { method: string; path: string; headers: Record<string, string>; body?: string };

const METHODS = ['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH', 'HEAD', 'OPTIONS', 'LOCK', 'TRACE'];
const SEGMENTS = ['a', 'x/y', '..', '%2e%2e', '%2F', 'é', '%00', '*', '+', '', 'data', 'metadata', 'roles', 'default', 'root', '-1', '0'.repeat(300)];
// The large bodies are the same every time: built once.
const DEEP_OBJECTS = '{"a":'.repeat(600) + '1' + '}'.repeat(600);
const DEEP_ARRAYS = '['.repeat(2000) + ']'.repeat(2000);
const WIDE_OBJECT = JSON.stringify(Object.fromEntries(Array.from({ length: 10_050 }, (_, i) => [`k${i}`, i])));
const QUERIES = ['', '', '', '?help=1', '?list=true', '?list=maybe', '?version=-1', '?version=abc', '?activecode=299', '?standbyok=True', '?help=1&list=true'];

/** Every declared path pattern, with its mount's prefix (`secret/`, `auth/token/`, `sys/`). */
export function declaredPaths(core: Core): string[] {
  const { mounts } = core.unsealed;
  const out: string[] = [];
  for (const table of ['mounts', 'auth'] as const) {
    for (const entry of mounts.list(table)) {
      const prefix = (table === 'auth' ? 'auth/' : '') + entry.path;
      for (const def of mounts.backendOf(entry)?.table.defs ?? []) out.push(prefix + def.pattern);
    }
  }
  return out;
}

/** Builds requests from the declared paths with a seeded random source. */
export function requestGenerator(patterns: string[], tokens: string[], seed: number) {
  const rnd = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const scalar = (): unknown => pick([
    () => 'x'.repeat(Math.floor(rnd() * 40)), () => Math.floor(rnd() * 2000) - 1000, () => rnd() < 0.5,
    () => null, () => '1h', () => '-1s', () => ['default', 'ROOT', ' nosudo'], () => 'a,b', () => 1e308, () => '\u0000\ud800',
  ])();
  const value = (depth: number): unknown => {
    if (depth <= 0 || rnd() < 0.4) return scalar();
    if (rnd() < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth - 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => [pick(['data', 'policies', 'ttl', 'options', 'cas', 'token', 'type', `k${i}`]), value(depth - 1)]));
  };
  const body = (): string | undefined => pick([
    () => undefined,
    () => '',
    () => 'null',
    () => JSON.stringify(value(4)),
    () => JSON.stringify({ data: value(3), options: { cas: pick([-1, 0, '1', 'x', null]) } }),
    () => DEEP_OBJECTS,
    () => DEEP_ARRAYS,
    () => WIDE_OBJECT,
    () => '{"unterminated": "',
    () => '\u00ff\u00fe{}',
    () => JSON.stringify({ policy: 'path "*" { capabilities = ["sudo"] }', type: 'kv', config: value(2) }),
  ])();
  const fill = (pattern: string) => pattern.split('/').map((part) =>
    part.startsWith(':') ? pick(SEGMENTS.filter((s) => s !== '' && !s.includes('/'))) : part.startsWith('*') ? pick(SEGMENTS) : part).join('/');
  return (): FuzzRequest => {
    const headers: Record<string, string> = {};
    const token = pick([...tokens, '', 'hvs.unknown', 'x'.repeat(5000), 'hvs.\u00e9']);
    if (token !== '') headers[rnd() < 0.8 ? 'X-Vault-Token' : 'Authorization'] = rnd() < 0.8 ? token : `Bearer ${token}`;
    if (rnd() < 0.1) headers['X-Vault-Wrap-TTL'] = pick(['30s', '-1', 'abc', '0', '999999h']);
    if (rnd() < 0.1) headers['Content-Type'] = pick(['application/ocsp-request', 'text/plain', 'application/merge-patch+json']);
    if (rnd() < 0.05) headers['X-Vault-Namespace'] = pick(['', 'team/']);
    const path = fill(pick(patterns)) + pick(QUERIES);
    return { method: pick(METHODS), path, headers, body: body() };
  };
}
