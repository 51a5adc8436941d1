// The ceiling: a bare node:http server answering a small JSON body, the fastest any HTTP API
// on this Node could be. Prints its URL on stdout once listening.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ request_id: '00000000-0000-0000-0000-000000000000', data: { value: 'ceiling' } });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
