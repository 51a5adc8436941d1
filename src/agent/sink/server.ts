// The sink server: every new token goes to every sink, wrapped (sink wrap_ttl) and then
// encrypted (dh_type) when the sink asks for it. A sink is rewritten only when the token
// changed; a failed write is retried every 1–3 s until it succeeds or the agent stops.
import type { Sink } from '../config/types.js';
import { wrapInfoJson, type Json, type Transport } from '../http.js';
import type { Logger } from '../log.js';
import type { Scheduler } from '../schedule.js';
import { DhEncryptor, readRemoteKey } from './dh.js';
import { writeAtomically, writeCheck } from './file.js';

type SinkState = { sink: Sink; last?: string; dh?: DhEncryptor; remoteKey?: Buffer };

export class SinkServer {
  readonly #sinks: SinkState[];
  readonly #t: Transport;
  readonly #s: Scheduler;
  readonly #log: Logger;

  constructor(sinks: Sink[], transport: Transport, scheduler: Scheduler, log: Logger) {
    this.#sinks = sinks.map((sink) => ({ sink, dh: sink.dhType ? new DhEncryptor(sink.deriveKey, sink.aad ?? '') : undefined }));
    this.#t = transport;
    this.#s = scheduler;
    this.#log = log.named('sink.server');
  }

  /** Checks every sink's directory is writable; throws the first failure. */
  async start(): Promise<void> {
    for (const { sink } of this.#sinks) await writeCheck(sink.path, sink.mode);
  }

  /**
   * Delivers `token` (or, for a method with wrap_ttl, the wrap_info JSON, `alreadyWrapped`).
   * With `retry` a failing sink is retried until `signal` aborts; without, the error is thrown.
   */
  async deliver(token: string, o: { alreadyWrapped?: boolean; retry: boolean; signal?: AbortSignal }): Promise<void> {
    for (const st of this.#sinks) {
      if (st.last === token) continue;
      for (;;) {
        try {
          await this.#write(st, token, o.alreadyWrapped ?? false);
          st.last = token;
          this.#log.info('token written', { path: st.sink.path });
          break;
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (!o.retry) throw new Error(`error writing to sink ${st.sink.path}: ${msg}`);
          this.#log.error('error returned by sink function, retrying', { path: st.sink.path, error: msg });
          await this.#s.sleep(1000 + this.#s.random() * 2000, o.signal);
          if (o.signal?.aborted) return;
        }
      }
    }
  }

  async #write(st: SinkState, token: string, alreadyWrapped: boolean): Promise<void> {
    let out = token;
    if (st.sink.wrapTtlMs > 0 && !alreadyWrapped) {
      const res = await this.#t.json('PUT', 'sys/wrapping/wrap', { token, body: { token }, wrapTtl: `${Math.round(st.sink.wrapTtlMs / 1000)}s` });
      if (!res?.wrap_info) throw new Error('wrapping the token returned no wrap info');
      out = wrapInfoJson(res.wrap_info as Json);
    }
    if (st.dh && st.sink.dhPath) {
      st.remoteKey ??= await readRemoteKey(st.sink.dhPath);
      out = JSON.stringify(st.dh.encrypt(out, st.remoteKey));
    }
    await writeAtomically(st.sink.path, out, st.sink.mode);
  }
}
