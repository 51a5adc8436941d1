// Reading credential files the way Vault Agent does, with Go's wording in errors ("open
// /path: no such file or directory") and never the file's contents.
import { readFile, rm } from 'node:fs/promises';

/** Go's text for a failed file operation. */
export function goFileError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory'
    : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'is a directory'
        : (err as Error).message;
  return `${op} ${path}: ${reason}`;
}

/** The file's text trimmed, '' when empty, or an error message when it cannot be read. */
export async function readCredential(path: string): Promise<{ value: string } | { error: string }> {
  try {
    return { value: (await readFile(path, 'utf8')).trim() };
  } catch (err) {
    return { error: goFileError('open', path, err) };
  }
}

/** Removes a file that has been read; a failure is reported, not thrown. */
export async function removeCredential(path: string): Promise<string | undefined> {
  try {
    await rm(path);
    return undefined;
  } catch (err) {
    return goFileError('remove', path, err);
  }
}
