// Vault's `syslog` audit device: each record goes to the local syslog daemon through /dev/log
// at severity info, under `facility` (default AUTH) and `tag` (default "vault"). Node cannot
// send unix datagrams, so a datagram /dev/log (rsyslog, journald) is written through util-linux
// `logger`, one process per record, whose exit status tells whether the daemon took it.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { BadRequest } from '../../util/errors.js';
import { codeOf, type AuditDevice } from './device.js';
import { connectStream, reconnecting } from './socket.js';

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  authpriv: 10, ftp: 11, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
const SEVERITY_INFO = 6;
/** Larger records fail rather than be cut short by the daemon. */
const MAX_DATAGRAM = 200_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164's timestamp, as Go's log/syslog writes it to a local daemon. */
function stamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Runs `logger` for one record; resolves only when it reports the message sent. */
function runLogger(args: string[], line: string): Promise<void> {
  if (line.length > MAX_DATAGRAM) return Promise.reject(new Error('audit record too large for syslog'));
  return new Promise((resolve, reject) => {
    const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`logger exited with status ${code}`))));
    child.stdin.on('error', () => { /* reported through the exit status */ });
    child.stdin.end(line);
  });
}

/** A datagram /dev/log: one `logger` run per record; probed once so enabling fails early. */
async function datagramDevice(socketPath: string, facility: string, tag: string): Promise<AuditDevice> {
  const args = ['--socket-errors=on', '-u', socketPath, '-d', '-t', tag, '-p', `${facility}.info`, '--size', String(MAX_DATAGRAM)];
  await runLogger(args, 'audit device enabled\n');
  return { write: (line) => runLogger(args, line), reopen: async () => {}, close: async () => {} };
}

/** A stream /dev/log (syslog-ng): framed lines over one reconnecting connection. */
async function streamDevice(socketPath: string, priority: number, tag: string): Promise<AuditDevice> {
  const inner = reconnecting(() => connectStream({ path: socketPath }, 2000), 2000);
  await inner.reopen();
  const host = hostname();
  const frame = (line: string) => `<${priority}>${stamp(new Date())} ${host} ${tag}[${process.pid}]: ${line.trimEnd()}\n`;
  return { ...inner, write: (line) => inner.write(frame(line)) };
}

/** Opens a `syslog` device; fails with 400 when no syslog daemon listens at `socketPath`. */
export async function openSyslogDevice(options: Record<string, string>, socketPath = '/dev/log'): Promise<AuditDevice> {
  const facility = (options.facility || 'AUTH').toLowerCase();
  const code = FACILITIES[facility];
  if (code === undefined) throw new BadRequest(`invalid syslog facility "${options.facility}"`);
  const tag = options.tag || 'vault';
  let isSocket = false;
  try { isSocket = statSync(socketPath).isSocket(); } catch { /* missing: reported below */ }
  if (!isSocket) throw new BadRequest(`syslog: no syslog daemon socket at ${socketPath}; is a syslog daemon running?`);
  try {
    return await streamDevice(socketPath, code * 8 + SEVERITY_INFO, tag);
  } catch (err) {
    if (codeOf(err) !== 'EPROTOTYPE') throw new BadRequest(`syslog: unable to connect to ${socketPath}: ${codeOf(err)}`);
  }
  try {
    return await datagramDevice(socketPath, facility, tag);
  } catch (err) {
    throw new BadRequest(`syslog: unable to write to ${socketPath}: ${codeOf(err)}`);
  }
}
