// Who is logged in. The token lives in memory and in sessionStorage (gone with the tab, never
// localStorage), and the session ends when the token expires or the server stops knowing it.
import { api, configureApi } from './api';

const KEY = 'lockbox.token';

export type TokenInfo = {
  accessor: string;
  display_name: string;
  policies: string[];
  ttl: number;
  renewable: boolean;
  expire_time: string | null;
  entity_id: string;
};

type Listener = () => void;

class Session {
  token: string = sessionStorage.getItem(KEY) ?? '';
  info: TokenInfo | undefined;
  /** Wall-clock time (ms) at which the token expires; 0 = never. */
  expiresAt = 0;
  readonly #listeners = new Set<Listener>();
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }

  /** Checks a token with lookup-self and, if it works, makes it the session's. */
  async login(token: string): Promise<void> {
    const res = await api('GET', 'auth/token/lookup-self', undefined, { token });
    this.token = token;
    sessionStorage.setItem(KEY, token);
    this.#adopt(res?.data as TokenInfo);
  }

  /** Re-reads the token's entry (after a renewal, or at start-up with a stored token). */
  async refresh(): Promise<void> {
    if (!this.token) return;
    try {
      const res = await api('GET', 'auth/token/lookup-self');
      this.#adopt(res?.data as TokenInfo);
    } catch {
      this.logout();
    }
  }

  #adopt(info: TokenInfo): void {
    this.info = info;
    this.expiresAt = info.ttl > 0 ? Date.now() + info.ttl * 1000 : 0;
    clearTimeout(this.#expiryTimer);
    // setTimeout cannot wait longer than ~24.8 days; a longer TTL is re-checked then.
    if (this.expiresAt) this.#expiryTimer = setTimeout(() => void this.refresh(), Math.min(info.ttl * 1000 + 500, 2 ** 31 - 1));
    this.#changed();
  }

  /** After a 403: if the token itself no longer works, the session is over. */
  async checkStillValid(): Promise<void> {
    if (!this.token) return;
    try {
      await api('GET', 'auth/token/lookup-self', undefined, { token: this.token });
    } catch (err) {
      if ((err as { status?: number }).status === 403) this.logout();
    }
  }

  logout(): void {
    this.token = '';
    this.info = undefined;
    this.expiresAt = 0;
    clearTimeout(this.#expiryTimer);
    sessionStorage.removeItem(KEY);
    this.#changed();
  }
}

export const session = new Session();
configureApi({
  token: () => session.token,
  forbidden: (token) => {
    if (token === session.token) void session.checkStillValid();
  },
});
