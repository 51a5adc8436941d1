// http-01 validation (RFC 8555 §8.3): GET http://<identifier>/.well-known/acme-challenge/<token>
// must answer token + "." + the account key thumbprint. Jobs run in the background; the
// challenge's `processing` state is stored, so a job lost to a restart is picked up again the
// next time its authorization, challenge or order is read (clients poll them).
import type { Storage } from '../../../storage/storage.js';
import { authorizations, orders, type Authorization } from './state.js';

const TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 10;
const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 1000;

/** Jobs running in this process, by authorization id. */
const running = new Set<string>();

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

async function runJob(storage: Storage, authzId: string, thumbprint: string, now: () => number): Promise<void> {
  for (;;) {
    const authz = await authorizations.get(storage, authzId);
    const challenge = authz?.challenges[0];
    if (!authz || !challenge || challenge.status !== 'processing') return;
    const result = await fetchKeyAuthorization(authz.identifier.value, challenge.token);
    challenge.attempts++;
    const expected = `${challenge.token}.${thumbprint}`;
    if (result.body === expected) {
      challenge.status = 'valid';
      challenge.validated = new Date(now()).toISOString();
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
    if (authz.status !== 'pending') return updateOrder(storage, authz);
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS * challenge.attempts));
  }
}

/** Starts (or resumes) validation of an authorization unless this process already runs it. */
export function enqueueValidation(storage: Storage, authzId: string, thumbprint: string, now: () => number): void {
  if (running.has(authzId)) return;
  running.add(authzId);
  void runJob(storage, authzId, thumbprint, now).catch(() => undefined).finally(() => running.delete(authzId));
}
