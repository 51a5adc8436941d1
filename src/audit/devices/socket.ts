// Vault's `socket` audit device: one line per record over TCP, UDP or a unix stream socket.
// A write resolves once the kernel has the bytes; a dead peer triggers one reconnect and
// retry (as Vault does), after which the write fails and the broker fails closed.
import { createSocket } from 'node:dgram';
import { connect as netConnect, isIPv6, type NetConnectOpts, type Socket } from 'node:net';
import { BadRequest } from '../../util/errors.js';
import { durationOption } from '../options.js';
import { codeOf, type AuditDevice } from './device.js';

/** A connected socket that sends whole lines and knows when its peer went away. */
export type Connection = {
  readonly alive: boolean;
  send(buf: Buffer, timeoutMs: number): Promise<void>;
  close(): void;
};

/** Rejects (after calling `onTimeout`) when `work` takes longer than `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { onTimeout(); reject(new Error('audit socket timed out')); }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Connects a stream socket (TCP or unix); resolves once connected. */
export async function connectStream(target: NetConnectOpts, timeoutMs: number): Promise<Connection> {
  const socket: Socket = netConnect(target);
  let alive = true;
  const dead = () => { alive = false; };
  socket.on('close', dead).on('end', dead).on('error', dead);
  await withTimeout(new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  }), timeoutMs, () => socket.destroy());
  socket.setNoDelay(true);
  socket.resume(); // the peer has nothing to tell us; never let its bytes pile up
  socket.unref();
  return {
    get alive() { return alive && socket.writable; },
    send: (buf, ms) => withTimeout(new Promise<void>((resolve, reject) => {
      socket.write(buf, (err) => (err ? reject(err) : resolve()));
    }), ms, () => socket.destroy()),
    close: () => { socket.destroy(); },
  };
}

/** "host:port" or "[v6]:port". */
function hostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  if (!m) throw new BadRequest(`invalid address "${address}": expected host:port`);
  return { host: m[1] ?? (m[2] || 'localhost'), port: Number(m[3]) };
}

/** A connected UDP socket: sends are datagrams, so only local errors can be seen. */
async function connectUdp(address: string, timeoutMs: number): Promise<Connection> {
  const { host, port } = hostPort(address);
  const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  let alive = true;
  sock.on('error', () => { alive = false; }).on('close', () => { alive = false; });
  await withTimeout(new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve).once('error', reject);
    sock.connect(port, host);
  }), timeoutMs, () => sock.close());
  sock.unref();
  return {
    get alive() { return alive; },
    send: (buf, ms) => withTimeout(new Promise<void>((resolve, reject) => {
      sock.send(buf, (err) => (err ? reject(err) : resolve()));
    }), ms, () => { alive = false; }),
    close: () => { try { sock.close(); } catch { /* already closed */ } },
  };
}

/** A device over a connection that is re-established once when a write fails. */
export function reconnecting(connect: () => Promise<Connection>, timeoutMs: number): AuditDevice {
  let conn: Connection | undefined;
  let pending: Promise<Connection> | undefined;
  // One connection attempt at a time: concurrent writers that find the peer gone share it.
  const replace = (stale: Connection | undefined): Promise<Connection> => {
    if (conn && conn !== stale && conn.alive) return Promise.resolve(conn);
    pending ??= (async () => {
      try {
        stale?.close();
        conn = undefined;
        conn = await connect();
        return conn;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  return {
    async write(line) {
      const buf = Buffer.from(line);
      let c = conn?.alive ? conn : undefined;
      try {
        c ??= await replace(conn);
        await c.send(buf, timeoutMs);
      } catch {
        c = await replace(c ?? conn);
        await c.send(buf, timeoutMs);
      }
    },
    reopen: async () => { await replace(conn); },
    close: async () => { conn?.close(); conn = undefined; },
  };
}

/** Opens a `socket` device; fails with 400 when the peer cannot be reached. */
export async function openSocketDevice(options: Record<string, string>): Promise<AuditDevice> {
  const address = options.address;
  if (!address) throw new BadRequest('address is required');
  const type = options.socket_type || 'tcp';
  const timeoutMs = durationOption(options, 'write_timeout', 2000);
  let connect: () => Promise<Connection>;
  if (type === 'tcp') {
    const { host, port } = hostPort(address);
    connect = () => connectStream({ host, port }, timeoutMs);
  } else if (type === 'unix') {
    connect = () => connectStream({ path: address }, timeoutMs);
  } else if (type === 'udp') {
    connect = () => connectUdp(address, timeoutMs);
  } else {
    throw new BadRequest(`unknown socket_type "${type}": expected tcp, udp or unix`);
  }
  const device = reconnecting(connect, timeoutMs);
  try {
    await device.reopen();
  } catch (err) {
    throw new BadRequest(`unable to connect to ${type} socket "${address}": ${codeOf(err)}`);
  }
  return device;
}
