// http-01 validation (RFC 8555 §8.3): GET http://<identifier>/.well-known/acme-challenge/<token>
// must answer token + "." + the account key thumbprint. Jobs run in a durable queue: each has
// an entry under acme/validations/ until it is decided, at most WORKERS run at once, a failed
// connection is retried (up to MAX_ATTEMPTS, the delay growing), and the core's periodic hook
// requeues entries a restart left behind.
import type { Storage } from '../../../storage/storage.js';
import { rfc3339 } from '../validity.js';
import { authorizations, orders, type Authorization } from './state.js';

const TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 10;
const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 1000;
const WORKERS = 5;

/** The port http-01 validation connects to (80 unless LOCKBOX_ACME_HTTP01_PORT says otherwise). */
function challengePort(): number {
  const n = Number(process.env.LOCKBOX_ACME_HTTP01_PORT ?? '80');
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 80;
}

/** Fetches the challenge response, following at most ten redirects. */
async function fetchKeyAuthorization(host: string, token: string): Promise<{ body?: string; error?: string; final: boolean }> {
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let url = `http://${hostPart}:${challengePort()}/.well-known/acme-challenge/${token}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch {
      return { error: `connection to ${host} failed`, final: false };
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).toString();
      continue;
    }
    if (res.status !== 200) return { error: `unexpected status ${res.status} from ${host}`, final: true };
    return { body: (await res.text()).trim(), final: true };
  }
  return { error: 'too many redirects', final: true };
}

/** Moves the order on once each of its authorizations is decided. */
async function updateOrder(storage: Storage, authz: Authorization): Promise<void> {
  const order = await orders.get(storage, authz.order);
  if (!order || order.status !== 'pending') return;
  const all = await Promise.all(order.authorizations.map((id) => authorizations.get(storage, id)));
  if (all.some((a) => a?.status === 'invalid')) order.status = 'invalid';
  else if (all.every((a) => a?.status === 'valid')) order.status = 'ready';
  else return;
  await orders.put(storage, order);
}

type Job = { storage: Storage; authzId: string; thumbprint: string; now: () => number };

/** Validations known to this process (queued, running or waiting to retry), by authorization id. */
const known = new Set<string>();
const queue: Job[] = [];
let workers = 0;

const queueKey = (authzId: string) => `acme/validations/${authzId}`;

/** One attempt; answers the delay before the next one, or undefined when decided. */
async function attempt(job: Job): Promise<number | undefined> {
  const { storage, authzId, thumbprint, now } = job;
  const authz = await authorizations.get(storage, authzId);
  const challenge = authz?.challenges[0];
  if (!authz || !challenge || challenge.status !== 'processing') return undefined;
  const result = await fetchKeyAuthorization(authz.identifier.value, challenge.token);
  challenge.attempts++;
  const expected = `${challenge.token}.${thumbprint}`;
  if (result.body === expected) {
    challenge.status = 'valid';
    challenge.validated = rfc3339(now());
    authz.status = 'valid';
  } else if (result.final || challenge.attempts >= MAX_ATTEMPTS) {
    challenge.status = 'invalid';
    challenge.error = {
      type: result.body !== undefined ? 'urn:ietf:params:acme:error:incorrectResponse' : 'urn:ietf:params:acme:error:connection',
      detail: result.body !== undefined ? 'the key authorization served does not match' : result.error ?? 'validation failed', status: 400,
    };
    authz.status = 'invalid';
  } else {
    challenge.retry_at = now() + RETRY_DELAY_MS * challenge.attempts;
  }
  await authorizations.put(storage, authz);
  if (authz.status === 'pending') return RETRY_DELAY_MS * challenge.attempts;
  await updateOrder(storage, authz);
  return undefined;
}

/** Starts queued jobs while fewer than WORKERS run; a retry waits outside the pool. */
function pump(): void {
  while (workers < WORKERS && queue.length > 0) {
    const job = queue.shift()!;
    workers++;
    void attempt(job).then(
      async (delay) => {
        if (delay === undefined) {
          await job.storage.delete(queueKey(job.authzId));
          known.delete(job.authzId);
        } else {
          setTimeout(() => { queue.push(job); pump(); }, delay).unref();
        }
      },
      // A storage failure (sealed, shut down): forget it here; the durable entry brings it back.
      () => { known.delete(job.authzId); },
    ).finally(() => { workers--; pump(); });
  }
}

function schedule(job: Job): void {
  if (known.has(job.authzId)) return;
  known.add(job.authzId);
  queue.push(job);
  pump();
}

/**
 * Queues validation of an authorization whose challenge is now `processing`. The queue entry is
 * stored first, so a restart does not lose the job (resumeValidations picks it up).
 */
export async function enqueueValidation(storage: Storage, authzId: string, thumbprint: string, now: () => number): Promise<void> {
  await storage.put(queueKey(authzId), Buffer.from(JSON.stringify({ thumbprint })));
  schedule({ storage, authzId, thumbprint, now });
}

/** Requeues every stored validation this process is not already running (periodic hook). */
export async function resumeValidations(storage: Storage, now: () => number): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const ids = await storage.list('acme/validations/', { after, limit: 100 });
    for (const authzId of ids) {
      if (known.has(authzId)) continue;
      const entry = await storage.get(queueKey(authzId));
      if (!entry) continue;
      const { thumbprint } = JSON.parse(entry.toString('utf8')) as { thumbprint: string };
      schedule({ storage, authzId, thumbprint, now });
    }
    if (ids.length < 100) return;
    after = ids[ids.length - 1];
  }
}
