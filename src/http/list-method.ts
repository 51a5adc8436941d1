// Node's HTTP parser rejects the `LIST` method that hvac, node-vault and `curl -X LIST` send.
// Rather than wrapping every socket in a JS stream (~35% of throughput), a listener prepended
// to each connection's 'data' rewrites a leading `LIST ` in place to `LOCK `, a same-length
// method the parser knows and Vault never uses; the router reads LOCK as LIST (so a raw LOCK
// request is served as a list too).
//
// Only bytes at a request boundary are touched. To know where each request ends, the listener
// follows the framing of the byte stream itself, as the parser will: the head up to its blank
// line, then a body of Content-Length bytes or a chunked body to its last chunk and trailers.
// So every request of a pipelined stream is rewritten, wherever a TCP chunk happens to split
// it, and no byte of a body is ever taken for a request line. A stream the follower cannot
// frame (a head over 64 KiB, a malformed length) is left alone from there on: the parser
// refuses such a stream anyway.
import type { Socket } from 'node:net';

/** The method the parser reports for a rewritten LIST. */
export const REWRITTEN_LIST_METHOD = 'LOCK';

const FROM = Buffer.from('LIST ');
const TO = Buffer.from('LOCK ');
const HEAD_END = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;
/** Longer than Node's own header limit (16 KiB): past this the parser has refused the request. */
const MAX_HEAD = 64 * 1024;
const MAX_LINE = 1024;

type Phase = 'line' | 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'lost';

/** Where one connection's byte stream stands. */
type Framing = {
  phase: Phase;
  /** `line`: bytes of `LIST ` matched (and rewritten) so far. */
  matched: number;
  /** `head`: the head's bytes so far. */
  head: Buffer[];
  headLength: number;
  /** `body`, `chunk-data`: bytes still to skip. */
  remaining: number;
  /** `chunk-size`, `chunk-end`, `trailers`: the current line's text so far. */
  line: string;
};

/** Installs the rewriting listener on a new connection (plain or TLS). */
export function watchConnection(socket: Socket): void {
  const state: Framing = { phase: 'line', matched: 0, head: [], headLength: 0, remaining: 0, line: '' };
  // Prepended so it runs before the HTTP parser's own listener sees the chunk.
  socket.prependListener('data', (chunk: Buffer) => follow(state, chunk));
}

/** Walks one chunk, rewriting the method of every request line that starts in it. */
function follow(state: Framing, chunk: Buffer): void {
  let i = 0;
  while (i < chunk.length && state.phase !== 'lost') {
    switch (state.phase) {
      case 'line': i = requestLine(state, chunk, i); break;
      case 'head': i = head(state, chunk, i); break;
      case 'body':
      case 'chunk-data': {
        const skip = Math.min(state.remaining, chunk.length - i);
        i += skip;
        state.remaining -= skip;
        if (state.remaining === 0) state.phase = state.phase === 'body' ? 'line' : 'chunk-end';
        break;
      }
      default: i = chunkedLine(state, chunk, i);
    }
  }
}

/** At a boundary: skips stray CRLFs (HTTP/1.1 allows them), then rewrites `LIST `. */
function requestLine(state: Framing, chunk: Buffer, start: number): number {
  let i = start;
  while (state.matched === 0 && i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++;
  while (i < chunk.length && state.matched < FROM.length) {
    if (chunk[i] !== FROM[state.matched]) {
      startHead(state);
      return i;
    }
    chunk[i] = TO[state.matched] as number;
    state.matched++;
    i++;
  }
  if (state.matched === FROM.length) startHead(state);
  return i;
}

function startHead(state: Framing): void {
  state.phase = 'head';
  state.matched = 0;
  if (state.head.length > 0) state.head = [];
  state.headLength = 0;
}

/** Collects the head up to its blank line, then decides how the body is framed. */
function head(state: Framing, chunk: Buffer, start: number): number {
  // The usual case, a whole head inside this chunk, is framed in one pass over it.
  if (state.head.length === 0) {
    const whole = scanHead(chunk, start, Math.min(chunk.length, start + MAX_HEAD));
    if (whole !== undefined) {
      frameBody(state, whole);
      return whole.end;
    }
  }
  const end = headEnd(state, chunk, start);
  const upTo = end === -1 ? chunk.length : end;
  state.head.push(chunk.subarray(start, upTo));
  state.headLength += upTo - start;
  if (state.headLength > MAX_HEAD) {
    state.phase = 'lost';
    return chunk.length;
  }
  if (end === -1) return chunk.length;
  const collected = Buffer.concat(state.head);
  state.head = [];
  const scanned = scanHead(collected, 0, collected.length);
  // headEnd found the blank line, so the scan does too; were it not so, stop following.
  if (scanned === undefined) state.phase = 'lost';
  else frameBody(state, scanned);
  return end;
}

/** What a head says about the body after it. */
type HeadScan = {
  /** Index just past the head's blank line. */
  end: number;
  /** The first Content-Length value, trimmed. */
  length: string | undefined;
  /** Whether a Transfer-Encoding names chunked. */
  chunked: boolean;
};

/** Moves to the phase the head's framing headers call for. */
function frameBody(state: Framing, { chunked, length }: HeadScan): void {
  if (chunked) {
    state.phase = 'chunk-size';
    state.line = '';
  } else if (length === undefined || length === '0') {
    state.phase = 'line';
  } else if (/^\d{1,15}$/.test(length)) {
    state.phase = 'body';
    state.remaining = Number(length);
  } else {
    state.phase = 'lost';
  }
}

const CONTENT_LENGTH = 'content-length:';
const TRANSFER_ENCODING = 'transfer-encoding:';

/**
 * The head starting at `start` if its blank line (CRLF CRLF) ends before `limit`, with its
 * framing headers. One pass from line feed to line feed (the native byte search); only lines
 * after a CRLF whose name starts with c or t are compared, byte by byte. Searching for the
 * blank line with a multi-byte needle and running regular expressions over the head as a
 * string cost ~1 µs per request, more than the rest of this file.
 */
function scanHead(buf: Buffer, start: number, limit: number): HeadScan | undefined {
  let length: string | undefined;
  let chunked = false;
  for (let lf = buf.indexOf(LF, start); lf !== -1 && lf < limit; lf = buf.indexOf(LF, lf + 1)) {
    if (lf - start < 1 || buf[lf - 1] !== CR) continue;
    if (lf - start >= 3 && buf[lf - 2] === LF && buf[lf - 3] === CR) return { end: lf + 1, length, chunked };
    const line = lf + 1;
    const first = (buf[line] ?? 0) | 0x20;
    if (first === 0x63 && length === undefined && namedAt(buf, line, CONTENT_LENGTH)) {
      length = valueAt(buf, line + CONTENT_LENGTH.length).trim();
    } else if (first === 0x74 && !chunked && namedAt(buf, line, TRANSFER_ENCODING)) {
      chunked = valueAt(buf, line + TRANSFER_ENCODING.length).toLowerCase().includes('chunked');
    }
  }
  return undefined;
}

/** Whether the header line at `at` has the name `name` (lower case, with its colon), in any case. */
function namedAt(buf: Buffer, at: number, name: string): boolean {
  if (at + name.length > buf.length) return false;
  for (let k = 0; k < name.length; k++) {
    const want = name.charCodeAt(k);
    const got = buf[at + k]!;
    // A letter matches in either case (its byte with bit 0x20 set); anything else only itself.
    if (got !== want && (want < 0x61 || want > 0x7a || (got | 0x20) !== want)) return false;
  }
  return true;
}

/** The text from `at` to the next CR (or the end of `buf`). */
function valueAt(buf: Buffer, at: number): string {
  const cr = buf.indexOf(CR, at);
  return buf.toString('latin1', at, cr === -1 ? buf.length : cr);
}

/** The index just past the head's blank line in `chunk`, or -1; the line may straddle chunks. */
function headEnd(state: Framing, chunk: Buffer, start: number): number {
  // Up to three bytes of the terminator may already be in the collected head.
  const before = Buffer.concat(state.head.slice(-3)).subarray(-3);
  if (before.length > 0) {
    const joined = Buffer.concat([before, chunk.subarray(start, start + 3)]);
    const at = joined.indexOf(HEAD_END);
    if (at !== -1) return start + at + HEAD_END.length - before.length;
  }
  const at = chunk.indexOf(HEAD_END, start);
  return at === -1 ? -1 : at + HEAD_END.length;
}

/** Chunk-size lines, the CRLF after each chunk's data, and the trailers after the last chunk. */
function chunkedLine(state: Framing, chunk: Buffer, start: number): number {
  const lf = chunk.indexOf(LF, start);
  const upTo = lf === -1 ? chunk.length : lf;
  state.line += chunk.subarray(start, upTo).toString('latin1');
  if (state.line.length > MAX_LINE) {
    state.phase = 'lost';
    return chunk.length;
  }
  if (lf === -1) return chunk.length;
  const line = state.line.replace(/\r$/, '');
  state.line = '';
  if (state.phase === 'chunk-end') {
    state.phase = 'chunk-size';
  } else if (state.phase === 'trailers') {
    if (line === '') state.phase = 'line';
  } else {
    const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
    if (!size) state.phase = 'lost';
    else if (Number.parseInt(size[1] as string, 16) === 0) state.phase = 'trailers';
    else {
      state.phase = 'chunk-data';
      state.remaining = Number.parseInt(size[1] as string, 16);
    }
  }
  return lf + 1;
}
