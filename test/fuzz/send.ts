// Sends fuzzed requests and reports the answers that break the rules: a 5xx other than the
// documented ones, or a body that shows a stack trace or internal detail.
import type { FuzzRequest } from './generate.js';

/** Everything but sudo: sys/seal, sys/step-down and root-only paths stay out of reach. */
export const FUZZ_POLICY = 'path "*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }';

const INTERNAL = /\bat [\w.<>]+ \(|node:internal|\/work\/|\.js:\d+|TypeError|RangeError|SyntaxError|ReferenceError/;

/** What a request answered, if it broke a rule. */
function problemOf(req: FuzzRequest, status: number, body: string): string | undefined {
  // sys/health answers the status the caller asks for (200-599), 5xx included.
  const askedHealth = /^sys\/health\?/.test(req.path);
  if (status >= 500 && !askedHealth) return `${status} for ${req.method} ${req.path}: ${body.slice(0, 200)}`;
  if (INTERNAL.test(body)) return `internal detail for ${req.method} ${req.path}: ${body.slice(0, 200)}`;
  return undefined;
}

/** Sends `requests` over `concurrency` parallel lanes; answers the problems found. */
export async function sendFuzzed(base: string, requests: FuzzRequest[], concurrency: number): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const req = requests[next++] as FuzzRequest;
      try {
        const res = await fetch(`${base}/v1/${req.path}`, {
          method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
        });
        const problem = problemOf(req, res.status, await res.text());
        if (problem) problems.push(problem);
      } catch (err) {
        // fetch itself refuses some inputs (a header it cannot send, TRACE with a body): not the server's doing.
        if (!(err instanceof TypeError) || (err.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED') problems.push(`${req.method} ${req.path}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return problems;
}

/** Mounts one of each secrets engine type (dev mode has kv only), so their paths are fuzzed too. */
export async function mountEveryEngine(api: (method: string, path: string, body?: unknown) => Promise<{ status: number }>): Promise<void> {
  for (const type of ['transit', 'pki', 'database', 'kv', 'generic']) await api('POST', `sys/mounts/fuzz-${type}`, { type });
}
