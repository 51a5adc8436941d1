// Replays the exact HTTP requests an ecosystem client sends (raw node:http, so every header is
// ours to set or leave out: Go clients send JSON with no Content-Type, `X-Vault-Request: true`,
// `LIST`, and bodies that are empty or the literal `null`), then checks each answer the way
// that client parses it. A failed check names the client that would break.
import http from 'node:http';
import net from 'node:net';
import { AssertionError } from 'node:assert';

/** One request as a client sends it. */
export type Step = {
  method: string;
  /** After `/v1/`, query string included. */
  path: string;
  /** X-Vault-Token; the replayer's default when omitted, none at all when ''. */
  token?: string;
  /** Headers on top of the client's defaults; a value of undefined removes a default. */
  headers?: Record<string, string | undefined>;
  /**
   * A string is sent byte for byte (`'null'`, `''`); anything else is JSON-encoded; undefined
   * sends no body. No Content-Type is added: set one in `headers` if the client sends it.
   */
  body?: unknown;
};

/** The server's answer: status, headers, raw text and the JSON it parses to (if any). */
export type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string; body: any };

/** Sends one step over node:http; `agent` keeps the connection alive between steps. */
export function sendStep(baseUrl: string, step: Step, defaults: Record<string, string>, agent?: http.Agent): Promise<Answer> {
  const u = new URL(baseUrl);
  const headers: Record<string, string> = { Host: u.host, ...defaults };
  if (step.token !== undefined) delete headers['X-Vault-Token'];
  if (step.token) headers['X-Vault-Token'] = step.token;
  for (const [k, v] of Object.entries(step.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const payload = step.body === undefined ? undefined : Buffer.from(typeof step.body === 'string' ? step.body : JSON.stringify(step.body));
  // Go sends Content-Length on every PUT/POST, 0 when there is no body.
  if (payload !== undefined || step.method === 'PUT' || step.method === 'POST') headers['Content-Length'] = String(payload?.length ?? 0);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: step.method, path: `/v1/${step.path}`, headers, agent: agent ?? false, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Go's view of a decoded JSON value (`json.Number` counts as int only when it is one). */
export type GoKind = 'string' | 'int' | 'float' | 'bool' | 'map' | 'slice' | 'null' | 'absent';

/** The kind a Go client's type assertion would see for `v`. */
export function goKind(v: unknown): GoKind {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return Array.isArray(v) ? 'slice' : 'map';
}

// Strict semver 2.0.0, which hashicorp/go-version's NewSemver demands (Terraform panics otherwise).
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** A client's replayer: sends its steps with its headers, and checks answers in its name. */
export type Replay = ReturnType<typeof replay>;

/**
 * Starts replaying as `client` against `baseUrl`. `defaults` are the headers the client puts
 * on every request (X-Vault-Token included). Steps share one kept-alive connection, as the
 * Go client's and got's pools do; call close() when done.
 */
export function replay(baseUrl: string, client: string, defaults: Record<string, string>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const fail = (message: string): never => {
    throw new AssertionError({ message: `${client} would break: ${message}` });
  };
  const r = {
    client,
    /** Sends a step as this client. */
    send: (step: Step) => sendStep(baseUrl, step, defaults, agent),
    fail,
    /** Fails with `message` unless `cond` holds. */
    ok(cond: unknown, message: string): void {
      if (!cond) fail(message);
    },
    /** The status the client branches on; the message carries the body it got instead. */
    status(ans: Answer, expected: number, what: string): void {
      if (ans.status !== expected) fail(`${what} answered ${ans.status}, not ${expected} (body: ${ans.text.slice(0, 300) || 'empty'})`);
    },
    /** A JSON object body (Go's ParseSecret, got's JSON.parse); plain text is a parse error to them. */
    json(ans: Answer, what: string): Record<string, any> {
      if (goKind(ans.body) !== 'map') fail(`${what} answered a body that is not a JSON object (${ans.text.slice(0, 200) || 'empty'})`);
      return ans.body as Record<string, any>;
    },
    /** `value` has one of the Go kinds the client type-asserts (or reads) it as. */
    kind(value: unknown, kinds: GoKind | GoKind[], what: string): void {
      const allowed = Array.isArray(kinds) ? kinds : [kinds];
      const got = goKind(value);
      if (!allowed.includes(got)) fail(`${what} is ${got === 'absent' ? 'absent' : `${got} ${show(value)}`}; the client expects ${allowed.join(' or ')}`);
    },
    /** A map of strings (or one of the extra kinds allowed, such as null). */
    stringMap(value: unknown, what: string, orElse: GoKind[] = []): void {
      if (orElse.includes(goKind(value))) return;
      r.kind(value, 'map', what);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) r.kind(v, 'string', `${what}["${k}"]`);
    },
    /** A list of strings. */
    strings(value: unknown, what: string): void {
      r.kind(value, 'slice', what);
      (value as unknown[]).forEach((v, i) => r.kind(v, 'string', `${what}[${i}]`));
    },
    /** Strict semver, as go-version's NewSemver parses it. */
    semver(value: unknown, what: string): void {
      if (typeof value !== 'string' || !SEMVER.test(value)) fail(`${what} is not strict semver (got ${show(value)})`);
    },
    /** Deep equality of what the client reads. */
    equal(actual: unknown, expected: unknown, what: string): void {
      if (!sameJson(actual, expected)) fail(`${what} is ${show(actual)}, expected ${show(expected)}`);
    },
    /** Vault's error body `{"errors":[...strings]}` with the given status; returns the messages. */
    errors(ans: Answer, status: number, what: string): string[] {
      r.status(ans, status, what);
      const body = r.json(ans, what);
      r.strings(body.errors, `${what} "errors"`);
      return body.errors as string[];
    },
    /** Vault's envelope fields every Go client decodes into api.Secret, with their types. */
    envelope(ans: Answer, what: string): Record<string, any> {
      const body = r.json(ans, what);
      r.kind(body.request_id, 'string', `${what} "request_id"`);
      r.kind(body.lease_id, 'string', `${what} "lease_id"`);
      r.kind(body.renewable, 'bool', `${what} "renewable"`);
      r.kind(body.lease_duration, 'int', `${what} "lease_duration"`);
      r.kind(body.data, ['map', 'null'], `${what} "data"`);
      r.kind(body.warnings, ['slice', 'null'], `${what} "warnings"`);
      r.kind(body.auth, ['map', 'null'], `${what} "auth"`);
      r.kind(body.wrap_info, ['map', 'null'], `${what} "wrap_info"`);
      return body;
    },
    /** The `auth` block of a login, renewal or token creation, typed as api.SecretAuth. */
    authBlock(ans: Answer, what: string): Record<string, any> {
      const auth = r.envelope(ans, what).auth as unknown;
      r.kind(auth, 'map', `${what} "auth"`);
      const a = auth as Record<string, any>;
      r.kind(a.client_token, 'string', `${what} auth.client_token`);
      r.kind(a.accessor, 'string', `${what} auth.accessor`);
      r.strings(a.policies, `${what} auth.policies`);
      r.strings(a.token_policies, `${what} auth.token_policies`);
      r.stringMap(a.metadata, `${what} auth.metadata`, ['null']);
      r.kind(a.lease_duration, 'int', `${what} auth.lease_duration`);
      r.kind(a.renewable, 'bool', `${what} auth.renewable`);
      r.kind(a.entity_id, 'string', `${what} auth.entity_id`);
      r.kind(a.token_type, 'string', `${what} auth.token_type`);
      r.kind(a.orphan, 'bool', `${what} auth.orphan`);
      r.kind(a.num_uses, 'int', `${what} auth.num_uses`);
      return a;
    },
    /** Closes the kept-alive connection. */
    close: () => agent.destroy(),
  };
  return r;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The headers every request from HashiCorp's Go client (api package) carries. */
export const goClientHeaders = (token: string): Record<string, string> => ({
  'X-Vault-Token': token,
  'X-Vault-Request': 'true',
  'User-Agent': 'Go-http-client/1.1',
  'Accept-Encoding': 'gzip',
});

/**
 * Writes `pieces` to one raw TCP connection with a pause between them, so each arrives as its
 * own chunk (a request line split mid-method), and reads the `count` answers that follow.
 */
export async function sendInPieces(baseUrl: string, pieces: string[], count = 1, gapMs = 25): Promise<Answer[]> {
  const u = new URL(baseUrl);
  const socket = net.connect({ host: u.hostname, port: Number(u.port) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let buffered = Buffer.alloc(0);
  const answers: Answer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let parsed = takeResponse(buffered); parsed; parsed = takeResponse(buffered)) {
        answers.push(parsed.answer);
        buffered = buffered.subarray(parsed.used);
        if (answers.length === count) resolve();
      }
    });
    socket.on('close', () => (answers.length === count ? resolve() : reject(new Error(`connection closed after ${answers.length} of ${count} answers: ${buffered.toString()}`))));
    socket.on('error', reject);
  });
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) => socket.write(piece, (err) => (err ? reject(err) : resolve())));
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  try {
    await done;
  } finally {
    socket.destroy();
  }
  return answers;
}

/** One complete response with a Content-Length (or none, for 204) from the front of `buf`. */
function takeResponse(buf: Buffer): { answer: Answer; used: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + length) return undefined;
  const text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { answer: { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1]), headers, text, body }, used: end + 4 + length };
}
