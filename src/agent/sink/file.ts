// The file sink: the token (or what a sink makes of it) goes to `<name>.tmp.<random>` beside
// the path, with the sink's mode, and is renamed over the path, so a reader sees the old file
// or the new one and never half of one.
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { goFileError } from '../auth/files.js';

const tempBeside = (path: string) => join(dirname(path), `${basename(path)}.tmp.${randomBytes(8).toString('hex')}`);

/** Writes `contents` to `path` atomically with `mode`; errors read like Go's. */
export async function writeAtomically(path: string, contents: string, mode: number): Promise<void> {
  const tmp = tempBeside(path);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.chmod(mode); // the umask must not widen or narrow what was asked for
      await fh.writeFile(contents);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(goFileError('write', path, err));
  }
}

/** At start: can we create files in the sink's directory? Fails fast when not. */
export async function writeCheck(path: string, mode: number): Promise<void> {
  const tmp = tempBeside(path);
  try {
    const fh = await open(tmp, 'wx', mode);
    await fh.close();
    await chmod(tmp, mode);
  } catch (err) {
    throw new Error(`error during write check: ${goFileError('open', tmp, err)}`);
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
