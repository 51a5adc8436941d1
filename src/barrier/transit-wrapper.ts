// The transit auto seal: the root key is encrypted by a transit key of another Lockbox (or
// Vault) server, over its HTTP API (`<mount>/encrypt/<key>` and `<mount>/decrypt/<key>`).
// The token is renewed in the background (at half its TTL) unless disable_renewal is set, as
// Vault's transit seal does. Errors name the address and the reason, never the token.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { SealUnavailable, type SealWrapper, type WrappedBlob } from './wrapper.js';

/** The `seal "transit"` settings, after the environment has been applied. */
export type TransitSealSettings = {
  address: string;
  token: string;
  keyName: string;
  mountPath: string;
  namespace?: string;
  disableRenewal: boolean;
  tlsCaCert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
  tlsServerName?: string;
  tlsSkipVerify: boolean;
};

type Reply = { status: number; body: Record<string, unknown> | undefined };
/** Where renewal problems go (the wrapper sits below the logger's layer). */
export type SealWarn = (msg: string, fields?: Record<string, unknown>) => void;

const REQUEST_TIMEOUT_MS = 10_000;
const MIN_RENEW_MS = 1_000;

export class TransitWrapper implements SealWrapper {
  readonly type = 'transit' as const;
  readonly #s: TransitSealSettings;
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #warn: SealWarn;
  #renewal: NodeJS.Timeout | undefined;
  #renewalStarted = false;
  #closed = false;

  constructor(settings: TransitSealSettings, warn: SealWarn = () => undefined) {
    this.#s = { ...settings, mountPath: settings.mountPath.replace(/^\/+|\/+$/g, '') };
    this.#warn = warn;
    try {
      this.#base = new URL(settings.address);
    } catch {
      throw new SealUnavailable(`transit seal: address "${settings.address}" is not a URL`);
    }
    const file = (path: string | undefined, name: string) => {
      if (!path) return undefined;
      try { return readFileSync(path); } catch { throw new SealUnavailable(`transit seal: cannot read ${name} ${path}`); }
    };
    this.#agent = this.#base.protocol === 'https:'
      ? new https.Agent({
        keepAlive: true, ca: file(settings.tlsCaCert, 'tls_ca_cert'), cert: file(settings.tlsClientCert, 'tls_client_cert'),
        key: file(settings.tlsClientKey, 'tls_client_key'), servername: settings.tlsServerName, rejectUnauthorized: !settings.tlsSkipVerify,
      })
      : new http.Agent({ keepAlive: true });
  }

  describe(): string {
    return `transit (address: "${this.#base.origin}", mount_path: "${this.#s.mountPath}/", key_name: "${this.#s.keyName}"${this.#s.namespace ? `, namespace: "${this.#s.namespace}"` : ''})`;
  }

  async encrypt(plaintext: Buffer): Promise<WrappedBlob> {
    const data = await this.#keyCall('encrypt', { plaintext: plaintext.toString('base64') });
    const ciphertext = data.ciphertext;
    if (typeof ciphertext !== 'string') throw this.#unavailable('the encrypt answer has no ciphertext');
    return { ciphertext, key_id: this.#s.keyName };
  }

  async decrypt(blob: WrappedBlob): Promise<Buffer> {
    const data = await this.#keyCall('decrypt', { ciphertext: blob.ciphertext });
    const plaintext = data.plaintext;
    if (typeof plaintext !== 'string') throw this.#unavailable('the decrypt answer has no plaintext');
    return Buffer.from(plaintext, 'base64');
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#renewal);
    this.#agent.destroy();
  }

  async #keyCall(op: 'encrypt' | 'decrypt', body: Record<string, string>): Promise<Record<string, unknown>> {
    const reply = await this.#request('POST', `${this.#s.mountPath}/${op}/${encodeURIComponent(this.#s.keyName)}`, body);
    if (reply.status !== 200) throw this.#refused(op, reply);
    const data = reply.body?.data;
    if (!data || typeof data !== 'object') throw this.#unavailable(`the ${op} answer has no data`);
    // The first call that works proves the token; renewal starts from there.
    if (!this.#renewalStarted && !this.#s.disableRenewal) {
      this.#renewalStarted = true;
      void this.#renew('lookup-self');
    }
    return data as Record<string, unknown>;
  }

  // Vault's transit seal keeps its token alive; a token that cannot be renewed is left alone.
  async #renew(op: 'lookup-self' | 'renew-self'): Promise<void> {
    if (this.#closed) return;
    let delay: number | undefined;
    try {
      const reply = await this.#request(op === 'lookup-self' ? 'GET' : 'POST', `auth/token/${op}`, op === 'renew-self' ? {} : undefined);
      if (reply.status !== 200) throw this.#refused(op, reply);
      const b = reply.body ?? {};
      const info = (op === 'lookup-self' ? b.data : b.auth) as Record<string, unknown> | undefined;
      const ttl = Number(op === 'lookup-self' ? info?.ttl : info?.lease_duration);
      if (info?.renewable === true && ttl > 0) delay = Math.max(MIN_RENEW_MS, (ttl * 1000) / 2);
    } catch (err) {
      this.#warn('transit seal: token renewal failed; retrying in 60s', { error: err });
      delay = 60_000;
    }
    if (delay === undefined || this.#closed) return;
    this.#renewal = setTimeout(() => { void this.#renew('renew-self'); }, delay);
    this.#renewal.unref();
  }

  #request(method: string, path: string, body?: unknown): Promise<Reply> {
    const url = new URL(`${this.#base.pathname.replace(/\/+$/, '')}/v1/${path}`, this.#base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { 'X-Vault-Token': this.#s.token, 'X-Vault-Request': 'true' };
    if (this.#s.namespace) headers['X-Vault-Namespace'] = this.#s.namespace;
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) });
    const send = this.#base.protocol === 'https:' ? https.request : http.request;
    return new Promise<Reply>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.#agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => reject(this.#unavailable('the connection broke')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> | undefined;
          try { parsed = text ? JSON.parse(text) as Record<string, unknown> : undefined; } catch { parsed = undefined; }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      // Only the error code: a socket error message may quote the request.
      req.on('error', (err: NodeJS.ErrnoException) => reject(this.#unavailable(`cannot reach the server (${err.code ?? 'connection error'})`)));
      req.end(payload);
    });
  }

  #refused(op: string, reply: Reply): SealUnavailable {
    const errors = Array.isArray(reply.body?.errors) ? (reply.body.errors as unknown[]).map(String) : [];
    // The other server wrote these; they are shown, with our own token taken out just in case.
    const reason = errors.join('; ').split(this.#s.token).join('[redacted]').slice(0, 300);
    return this.#unavailable(`${op} answered ${reply.status}${reason ? `: ${reason}` : ''}`);
  }

  #unavailable(reason: string): SealUnavailable {
    return new SealUnavailable(`transit seal (${this.#base.origin}, key "${this.#s.keyName}"): ${reason}`);
  }
}
