// Vault's `file` audit device: appends one line per record to a file kept open with O_APPEND,
// or to stdout, or nowhere (`discard`). Writes are synchronous (fs.writeSync, grouped per
// event-loop turn) so a failure (EPERM on an immutable file, ENOSPC…) is known before the
// request goes on: nothing is acknowledged that is not in the file.
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { BadRequest } from '../../util/errors.js';
import { codeOf, type AuditDevice } from './device.js';
import { groupWriter } from './group-write.js';

/** Parses Vault's `mode` option: an octal string, default 0600; "0000" leaves the mode alone. */
function parseMode(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0o600;
  if (!/^[0-7]{1,4}$/.test(raw)) throw new BadRequest(`unable to parse 'mode': expected an octal string such as "0600"`);
  const mode = parseInt(raw, 8);
  // Vault refuses executable audit files.
  if ((mode & 0o111) !== 0) throw new BadRequest('file mode must not have executable bits set');
  return mode;
}

const discard: AuditDevice = { write: async () => {}, reopen: async () => {}, close: async () => {} };

const stdout: AuditDevice = {
  // stdout may be a pipe (non-blocking): wait for the stream to accept the line.
  write: (line) => new Promise((resolve, reject) => process.stdout.write(line, (err) => (err ? reject(err) : resolve()))),
  reopen: async () => {},
  close: async () => {},
};

/** Writes all of `buf` to `fd`; throws on any error. */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** A file opened for appending, reopened on SIGHUP and once after a failed write. */
function appendFile(path: string, mode: number): AuditDevice {
  let fd: number | undefined;
  let closed = false;
  const open = () => {
    if (closed) throw new Error('audit device is closed');
    const next = openSync(path, 'a', mode === 0 ? 0o600 : mode);
    try {
      if (mode !== 0) fchmodSync(next, mode);
    } catch (err) {
      closeSync(next);
      throw err;
    }
    return (fd = next);
  };
  const release = () => {
    const old = fd;
    fd = undefined;
    if (old !== undefined) try { closeSync(old); } catch { /* already unusable; nothing to keep */ }
  };
  const group = groupWriter((buf) => {
    try {
      writeAll(fd ?? open(), buf);
    } catch {
      // The file may have been rotated, restored or fixed: one fresh open, then give up.
      release();
      writeAll(open(), buf);
    }
  });
  return {
    write: group.write,
    // Vault's SIGHUP: close, then open the path again; if that fails, writes fail until it works.
    async reopen() {
      group.flush();
      release();
      open();
    },
    async close() {
      group.flush();
      closed = true;
      release();
    },
  };
}

/** Opens a `file` device; fails with 400 when the path cannot be opened for appending. */
export async function openFileDevice(options: Record<string, string>): Promise<AuditDevice> {
  // Vault still accepts the old option name `path`.
  const path = options.file_path ?? options.path;
  if (!path) throw new BadRequest('file_path is required');
  const mode = parseMode(options.mode);
  if (path === 'discard') return discard;
  if (path === 'stdout') return stdout;
  const device = appendFile(path, mode);
  try {
    await device.reopen();
  } catch (err) {
    throw new BadRequest(`sanity check failed; unable to open "${path}" for writing: ${codeOf(err)}`);
  }
  return device;
}
