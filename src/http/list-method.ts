// Node's HTTP parser rejects the `LIST` method that hvac, node-vault and `curl -X LIST` send.
// Rather than wrapping every socket in a JS stream (~35% of throughput), a listener prepended
// to each connection's 'data' rewrites a leading `LIST ` in place to `LOCK `, a same-length
// method the parser knows and Vault never uses; the router reads LOCK as LIST (so a raw LOCK
// request is served as a list too).
//
// Only bytes at a request boundary are touched: the first bytes of a connection, or the first
// bytes after the parser has read the previous request to its end. "Its end" is the request's
// `complete` flag, not its response: an answer may go out before its body has arrived (a 404
// or 413 sent early), and bytes of that body must be neither rewritten nor mistaken for the
// next request line.
//
// Limitation: a pipelined request (sent before the previous answer, in the same TCP chunk as
// the end of the previous request) is not rewritten, so a pipelined LIST gets Node's 400.
// No Vault client pipelines; Go, undici, hvac and curl all wait for each answer.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** The method the parser reports for a rewritten LIST. */
export const REWRITTEN_LIST_METHOD = 'LOCK';

const FROM = Buffer.from('LIST ');
const TO = Buffer.from('LOCK ');
const CR = 0x0d;
const LF = 0x0a;

/** Per-connection progress through a possible `LIST ` at a request boundary. */
type State = {
  /** Bytes of `LIST ` matched (and rewritten) so far in the current request line. */
  matched: number;
  /** The current request line is settled: rewritten, or not a LIST. */
  decided: boolean;
  /** The newest request the parser has handed to us on this connection. */
  last: IncomingMessage | undefined;
  /** `last` as it was when the current request line was settled. */
  lastWhenDecided: IncomingMessage | undefined;
};
const states = new WeakMap<Socket, State>();

/** Installs the rewriting listener on a new connection (plain or TLS). */
export function watchConnection(socket: Socket): void {
  const state: State = { matched: 0, decided: false, last: undefined, lastWhenDecided: undefined };
  states.set(socket, state);
  // Prepended so it runs before the HTTP parser's own listener sees the chunk.
  socket.prependListener('data', (chunk: Buffer) => rewriteChunk(state, chunk));
}

/** Records a request the parser produced; its completion opens the next boundary. */
export function noteRequest(req: IncomingMessage): void {
  const state = states.get(req.socket);
  if (state) state.last = req;
}

/** Rewrites the method bytes of `chunk` in place; a request line may span chunks. */
function rewriteChunk(state: State, chunk: Buffer): void {
  if (state.decided) {
    // A boundary once the request whose line we settled has been parsed to its end.
    const { last } = state;
    if (last === undefined || last === state.lastWhenDecided || !last.complete) return;
    state.decided = false;
    state.matched = 0;
  }
  let i = 0;
  // HTTP/1.1 lets a client send stray CRLFs between requests; the parser skips them too.
  while (state.matched === 0 && i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++;
  while (i < chunk.length && state.matched < FROM.length) {
    if (chunk[i] !== FROM[state.matched]) {
      // Not LIST: leave this request alone until it has been read in full.
      settle(state);
      return;
    }
    chunk[i] = TO[state.matched] as number;
    state.matched++;
    i++;
  }
  if (state.matched === FROM.length) settle(state);
}

function settle(state: State): void {
  state.decided = true;
  state.lastWhenDecided = state.last;
}
