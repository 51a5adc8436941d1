// Node's HTTP parser rejects the `LIST` method that hvac, node-vault and `curl -X LIST` send.
// Rather than wrapping every socket in a JS stream (~35% of throughput), a listener prepended
// to each connection's 'data' rewrites a leading `LIST ` in place to `LOCK `, a same-length
// method the parser knows and Vault never uses; the router reads LOCK as LIST. Only bytes at a
// request boundary are touched: the start of a connection, or the first bytes after the
// previous response has finished.
import type { Socket } from 'node:net';

/** The method the parser reports for a rewritten LIST. */
export const REWRITTEN_LIST_METHOD = 'LOCK';

const FROM = Buffer.from('LIST ');
const TO = Buffer.from('LOCK ');

/** Per-socket progress through a possible `LIST ` at a request boundary. */
type State = { atBoundary: boolean; matched: number };
const states = new WeakMap<Socket, State>();

/** Installs the rewriting listener on a new connection. */
export function watchConnection(socket: Socket): void {
  const state: State = { atBoundary: true, matched: 0 };
  states.set(socket, state);
  socket.prependListener('data', (chunk: Buffer) => rewriteChunk(state, chunk));
}

/** Marks the connection as ready for a new request line (after a response finished). */
export function markRequestBoundary(socket: Socket | null): void {
  const state = socket && states.get(socket);
  if (state) {
    state.atBoundary = true;
    state.matched = 0;
  }
}

/** Rewrites the method bytes of `chunk` in place; a request line may span chunks. */
function rewriteChunk(state: State, chunk: Buffer): void {
  if (!state.atBoundary) return;
  let i = 0;
  while (i < chunk.length && state.matched < FROM.length) {
    if (chunk[i] !== FROM[state.matched]) {
      // Not LIST (or a LIST prefix that turned out otherwise): leave this request alone.
      state.atBoundary = false;
      return;
    }
    chunk[i] = TO[state.matched] as number;
    state.matched++;
    i++;
  }
  if (state.matched === FROM.length) state.atBoundary = false;
}
