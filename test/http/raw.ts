// A raw HTTP/1.1 client over node:net, for what fetch cannot show: request lines split across
// TCP writes, several requests on one connection, and exactly which bytes reach the server.
import net from 'node:net';
import tls from 'node:tls';

/** One parsed response. */
export type RawResponse = { status: number; headers: Record<string, string>; body: string };

/** A connection that sends bytes as given and reads responses one at a time. */
export type RawConnection = {
  write(bytes: string | Buffer): Promise<void>;
  /** The next complete response (by Content-Length, or up to the close). */
  response(): Promise<RawResponse>;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
  close(): void;
};

/** Opens a connection to `url`'s host and port (https: over TLS, trusting `ca`). */
export async function rawConnect(url: string, ca?: Buffer | string): Promise<RawConnection> {
  const u = new URL(url);
  const socket: net.Socket = u.protocol === 'https:'
    ? tls.connect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost' })
    : net.connect({ host: u.hostname, port: Number(u.port) });
  await new Promise<void>((resolve, reject) => {
    socket.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  let buffered = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => { buffered = Buffer.concat([buffered, chunk]); wake?.(); });
  const closed = new Promise<void>((resolve) => socket.on('close', () => { ended = true; wake?.(); resolve(); }));
  socket.on('error', () => {});
  const more = () => new Promise<void>((resolve) => { wake = resolve; });

  async function response(): Promise<RawResponse> {
    for (;;) {
      const parsed = tryParse(buffered, ended);
      if (parsed) {
        buffered = buffered.subarray(parsed.used);
        return parsed.response;
      }
      if (ended) throw new Error(`connection closed mid-response: ${JSON.stringify(buffered.toString())}`);
      await more();
    }
  }
  return {
    write: (bytes) => new Promise((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve()))),
    response,
    closed,
    close: () => socket.destroy(),
  };
}

function tryParse(buf: Buffer, ended: boolean): { response: RawResponse; used: number } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const start = headEnd + 4;
  const declared = headers['content-length'];
  const bodiless = (status >= 100 && status < 200) || status === 204 || status === 304;
  if (declared === undefined && !bodiless) {
    // No length: the body runs to the close (Node's own 400 for an unparseable request).
    if (!ended) return undefined;
    return { response: { status, headers, body: buf.subarray(start).toString() }, used: buf.length };
  }
  const length = Number(declared ?? 0);
  if (buf.length < start + length) return undefined;
  return { response: { status, headers, body: buf.subarray(start, start + length).toString() }, used: start + length };
}

/** Formats a request with Host, the token and a Content-Length when there is a body. */
export function rawRequest(method: string, path: string, opts: { token?: string; body?: string; headers?: string[] } = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost'];
  if (opts.token) lines.push(`X-Vault-Token: ${opts.token}`);
  if (opts.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(opts.body)}`);
  lines.push(...(opts.headers ?? []));
  return `${lines.join('\r\n')}\r\n\r\n${opts.body ?? ''}`;
}
