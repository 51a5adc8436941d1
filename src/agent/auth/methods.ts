// The auto-auth methods: each turns its configuration and credential files into one login
// request (or, for token_file, a token). Credentials read once stay in memory, so a re-login
// works after a file was removed, and an empty or unreadable file falls back to that value.
import type { ApproleConfig, JwtConfig, KubernetesConfig, Method, TokenFileConfig } from '../config/types.js';
import type { Json, Transport } from '../http.js';
import type { Logger } from '../log.js';
import { readCredential, removeCredential } from './files.js';

/** A login to send, or a token to use as it is (token_file). */
export type Credentials = { kind: 'login'; path: string; body: Json } | { kind: 'token'; token: string };

export interface AuthMethod {
  authenticate(t: Transport): Promise<Credentials>;
  /** Ends background work (the JWT file reader). */
  stop(): void;
}

export class AuthError extends Error {}

export function createAuthMethod(m: Method, log: Logger): AuthMethod {
  switch (m.config.type) {
    case 'approle': return new AppRole(m.mountPath, m.config, log);
    case 'jwt': return new JwtMethod(m.mountPath, m.config, log);
    case 'kubernetes': return kubernetes(m.mountPath, m.config);
    case 'token_file': return tokenFile(m.config);
  }
}

/** Reads a file into a cached value: Vault's rules for an unreadable or empty file. */
async function refresh(path: string, cached: string, what: string, log: Logger): Promise<{ value: string; fresh: boolean }> {
  const r = await readCredential(path);
  if ('error' in r) {
    if (cached === '') throw new AuthError(`error reading ${what} file and no cached ${what} known: ${r.error}`);
    log.warn(`error reading ${what} file`, { error: r.error });
    return { value: cached, fresh: false };
  }
  if (r.value === '') {
    if (cached === '') throw new AuthError(`${what} file empty and no cached ${what} known`);
    log.warn(`${what} file exists but read empty value, re-using cached value`);
    return { value: cached, fresh: false };
  }
  return { value: r.value, fresh: true };
}

class AppRole implements AuthMethod {
  private roleId = '';
  private secretId = '';
  private readonly mount: string;
  private readonly c: ApproleConfig;
  private readonly log: Logger;

  constructor(mount: string, c: ApproleConfig, log: Logger) {
    this.mount = mount;
    this.c = c;
    this.log = log;
  }

  async authenticate(t: Transport): Promise<Credentials> {
    this.roleId = (await refresh(this.c.roleIdFilePath, this.roleId, 'role ID', this.log)).value;
    if (this.c.secretIdFilePath) {
      const path = this.c.secretIdFilePath;
      const r = await refresh(path, this.secretId, 'secret ID', this.log);
      if (r.fresh) {
        this.secretId = this.c.secretIdResponseWrappingPath ? await this.unwrap(t, r.value, this.c.secretIdResponseWrappingPath) : r.value;
        if (this.c.removeSecretIdFileAfterReading) {
          const failed = await removeCredential(path);
          if (failed) this.log.error('error removing secret ID file after reading', { error: failed });
        }
      }
    }
    return { kind: 'login', path: `${this.mount}/login`, body: { role_id: this.roleId, ...(this.c.secretIdFilePath ? { secret_id: this.secretId } : {}) } };
  }

  /**
   * The file holds a wrapping token: its creation path must be the configured one before it is
   * unwrapped, or someone who could write the file could hand us a secret id of their choosing.
   */
  private async unwrap(t: Transport, wrappingToken: string, expected: string): Promise<string> {
    const lookup = await t.json('PUT', 'sys/wrapping/lookup', { body: { token: wrappingToken } });
    const data = lookup?.data as Json | undefined;
    if (!lookup) throw new AuthError('response nil when looking up wrapped secret ID');
    if (!data) throw new AuthError('data in response nil when looking up wrapped secret ID');
    const creationPath = data.creation_path;
    if (creationPath === undefined) throw new AuthError('creation_path in response nil when looking up wrapped secret ID');
    if (typeof creationPath !== 'string') throw new AuthError('creation_path in response could not be parsed as string when looking up wrapped secret ID');
    const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
    if (trim(creationPath) !== trim(expected)) {
      this.log.error('SECURITY: unable to validate wrapping token creation path', { expected, found: creationPath });
      throw new AuthError('unable to validate wrapping token creation path');
    }
    const unwrapped = await t.json('PUT', 'sys/wrapping/unwrap', { token: wrappingToken, body: {} });
    const secretId = (unwrapped?.data as Json | undefined)?.secret_id;
    if (typeof secretId !== 'string' || secretId === '') throw new AuthError('secret ID not found in unwrapped response');
    return secretId;
  }

  stop(): void {}
}

/** jwt: the file is read every jwt_read_period (and removed after reading if configured). */
class JwtMethod implements AuthMethod {
  private jwt = '';
  private readonly timer: NodeJS.Timeout;
  private readonly mount: string;
  private readonly c: JwtConfig;
  private readonly log: Logger;

  constructor(mount: string, c: JwtConfig, log: Logger) {
    this.mount = mount;
    this.c = c;
    this.log = log;
    this.timer = setInterval(() => void this.ingest().catch(() => undefined), c.jwtReadPeriodMs);
    this.timer.unref();
  }

  private async ingest(): Promise<void> {
    const r = await readCredential(this.c.path);
    if ('error' in r || r.value === '') return; // keep what we have; the next read may find it
    this.jwt = r.value;
    if (this.c.removeJwtAfterReading) {
      const failed = await removeCredential(this.c.path);
      if (failed) this.log.error('error removing jwt file', { error: failed });
    }
  }

  async authenticate(): Promise<Credentials> {
    await this.ingest();
    if (this.jwt === '') throw new AuthError('latest known JWT is empty, cannot authenticate');
    return { kind: 'login', path: `${this.mount}/login`, body: { role: this.c.role, jwt: this.jwt } };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** kubernetes: the service account token is read at every login (it is rotated). */
function kubernetes(mount: string, c: KubernetesConfig): AuthMethod {
  return {
    async authenticate() {
      const r = await readCredential(c.tokenPath);
      if ('error' in r) throw new AuthError(`error reading JWT with Kubernetes Auth: ${r.error}`);
      return { kind: 'login', path: `${mount}/login`, body: { role: c.role, jwt: r.value } };
    },
    stop() {},
  };
}

/** token_file: the token is read once and kept; it is checked with lookup-self by the handler. */
function tokenFile(c: TokenFileConfig): AuthMethod {
  let token = '';
  return {
    async authenticate() {
      if (token === '') {
        const r = await readCredential(c.tokenFilePath);
        if ('error' in r) throw new AuthError(`error reading token file: ${r.error}`);
        if (r.value === '') throw new AuthError('token file empty');
        token = r.value;
      }
      return { kind: 'token', token };
    },
    stop() {},
  };
}
