// The agent's listeners: tcp (plain or TLS) and unix sockets (with socket_mode). Stopping
// closes them and waits for requests in flight, 5 s at most.
import { chmod, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Listener } from '../config/types.js';

export type RunningListener = { address: string; close(): Promise<void> };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startListener(l: Listener, handler: Handler): Promise<RunningListener> {
  const server = l.type === 'tcp' && !l.tlsDisable
    ? https.createServer({ cert: readFileSync(l.tlsCertFile as string), key: readFileSync(l.tlsKeyFile as string) }, handler)
    : http.createServer(handler);
  if (l.type === 'unix') {
    await rm(l.address, { force: true }); // a socket left by a crash would make listen fail
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(l.address, resolve));
    if (l.socketMode !== undefined) await chmod(l.address, l.socketMode);
  } else {
    const i = l.address.lastIndexOf(':');
    const host = l.address.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
    const port = Number(l.address.slice(i + 1));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  }
  const addr = server.address();
  const address = typeof addr === 'string' ? addr : addr ? `${addr.address}:${addr.port}` : l.address;
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), 5000);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
