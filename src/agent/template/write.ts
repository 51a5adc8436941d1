// Writing a rendered template: nothing when the bytes are already there; otherwise a hidden
// temp file in the destination's directory, fsynced and chmodded (perms, else the existing
// file's mode, else 0644), the old file hard-linked to <dest>.bak when backup is on, a rename
// over the destination and an fsync of the directory. A crash leaves the old file or the new
// one, and at most a temp file, which the next start removes.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_MARK = '.lockbox-tmp.';
const tempName = (dest: string) => join(dirname(dest), `.${basename(dest)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);

/** Removes temp files a crash left beside `dest`. */
export async function removeStaleTemps(dest: string): Promise<void> {
  const prefix = `.${basename(dest)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = await readdir(dirname(dest));
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dirname(dest), n), { force: true })));
}

export type WriteOptions = { perms?: number; backup: boolean; createDestDirs: boolean };

/** Writes `contents` to `dest` unless it already holds them; returns whether it wrote. */
export async function writeIfChanged(dest: string, contents: string, o: WriteOptions): Promise<boolean> {
  let existingMode: number | undefined;
  try {
    const current = await readFile(dest);
    if (current.equals(Buffer.from(contents))) return false;
    existingMode = (await stat(dest)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const dir = dirname(dest);
  if (o.createDestDirs) await mkdir(dir, { recursive: true, mode: 0o755 });
  const mode = o.perms ?? existingMode ?? 0o644;
  const tmp = tempName(dest);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(contents);
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (o.backup && existingMode !== undefined) {
      await rm(`${dest}.bak`, { force: true });
      await link(dest, `${dest}.bak`);
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return true;
}
