// Auto-auth: log in, hand the token to the sinks, templates and proxy, keep it alive with the
// lifetime watcher, and log in again when it is about to end. Failed logins back off from
// min_backoff to max_backoff (or end the agent with exit_on_err). The token goes nowhere but
// to `onToken`: never to a log line.
import type { Method } from '../config/types.js';
import { wrapInfoJson, type Json, type Transport } from '../http.js';
import type { Logger } from '../log.js';
import { watchLifetime } from '../lifetime/watcher.js';
import { Backoff, type Scheduler } from '../schedule.js';
import { createAuthMethod, type AuthMethod } from './methods.js';

/** A token the agent holds: the value, and its lease as the server gave it. */
export type AuthToken = { token: string; accessor?: string; leaseDurationMs: number; renewable: boolean };

export type AutoAuthOptions = {
  method: Method;
  transport: Transport;
  scheduler: Scheduler;
  log: Logger;
  signal: AbortSignal;
  /** Called with each new token; sinks are written before this resolves. */
  onToken(t: AuthToken): Promise<void>;
  /** Called with the wrap_info JSON when the method logs in with wrap_ttl. */
  onWrapped(wrapInfo: string): Promise<void>;
  /** Log in once, deliver, and return. */
  exitAfterAuth: boolean;
  /** For tests: a method other than the configured one's (same interface). */
  authMethod?: AuthMethod;
};

/** Auto-auth could not go on: exit_on_err after a failed login. */
export class AutoAuthFatal extends Error {}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2).replace(/\.?0+$/, '')}s`;

export async function runAutoAuth(o: AutoAuthOptions): Promise<void> {
  const { transport: t, scheduler: s, signal } = o;
  const log = o.log.named('auth.handler');
  const method = o.authMethod ?? createAuthMethod(o.method, o.log.named(`auth.${o.method.type}`));
  const backoff = new Backoff(o.method.minBackoffMs, o.method.maxBackoffMs, () => s.random());
  const wrapTtl = o.method.wrapTtlMs > 0 ? `${Math.round(o.method.wrapTtlMs / 1000)}s` : undefined;
  try {
    while (!signal.aborted) {
      log.info('authenticating');
      let token: AuthToken | undefined;
      let wrapped: string | undefined;
      try {
        const creds = await method.authenticate(t);
        if (creds.kind === 'token') {
          const me = await t.json('GET', 'auth/token/lookup-self', { token: creds.token });
          const data = me?.data as Json | undefined;
          if (!data) throw new Error('token lookup returned no data');
          token = {
            token: creds.token, accessor: typeof data.accessor === 'string' ? data.accessor : undefined,
            leaseDurationMs: Number(data.ttl ?? 0) * 1000, renewable: data.renewable === true,
          };
        } else {
          const res = await t.json('PUT', creds.path, { body: creds.body, wrapTtl });
          if (wrapTtl) {
            if (!res?.wrap_info) throw new Error('authentication returned nil wrap info');
            wrapped = wrapInfoJson(res.wrap_info as Json);
          } else {
            const auth = res?.auth as Json | undefined;
            if (!auth || typeof auth.client_token !== 'string') throw new Error('authentication returned nil auth info');
            token = {
              token: auth.client_token, accessor: typeof auth.accessor === 'string' ? auth.accessor : undefined,
              leaseDurationMs: Number(auth.lease_duration ?? 0) * 1000, renewable: auth.renewable === true,
            };
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if (o.method.exitOnErr) throw new AutoAuthFatal(`error authenticating: ${message(err)}`);
        const wait = backoff.next();
        log.error('error authenticating', { error: message(err), backoff: seconds(wait) });
        await s.sleep(wait, signal);
        continue;
      }
      backoff.reset();
      if (wrapped !== undefined) {
        log.info('authentication successful, sending wrapped token to sinks and pausing');
        await o.onWrapped(wrapped);
        if (o.exitAfterAuth) return;
        // The token inside is never seen here, so there is nothing to renew: wait for shutdown.
        await s.sleep(Number.MAX_SAFE_INTEGER, signal);
        return;
      }
      const current = token as AuthToken;
      log.info('authentication successful, sending token to sinks');
      await o.onToken(current);
      if (o.exitAfterAuth) return;
      if (current.leaseDurationMs === 0) {
        log.info('not starting token renewal process, as token has unlimited TTL');
        await s.sleep(Number.MAX_SAFE_INTEGER, signal);
        return;
      }
      if (!current.renewable) log.info('token is not renewable, re-authenticating before it expires');
      const end = await watchLifetime({
        leaseDurationMs: current.leaseDurationMs, renewable: current.renewable, scheduler: s, signal,
        renew: async () => {
          const r = await t.json('PUT', 'auth/token/renew-self', { token: current.token, body: { increment: 0 } });
          const auth = r?.auth as Json | undefined;
          if (!auth) throw new Error('renewal returned no auth');
          return { leaseDurationMs: Number(auth.lease_duration ?? 0) * 1000, renewable: auth.renewable === true };
        },
        onRenewed: () => log.info('renewed auth token'),
        onRenewError: (err, wait) => log.error('error renewing token', { error: message(err), retry_in: seconds(wait) }),
      });
      if (end === 'stopped') return;
      log.info('lifetime watcher done channel triggered, re-authenticating', { reason: end });
    }
  } finally {
    method.stop();
  }
}
