// Request plumbing shared by the KV paths: the per-key write lock, LIST paging, PATCH's
// content type, and Vault's multi-error text.
import { BadRequest, LockboxError } from '../../util/errors.js';
import type { HandlerContext } from '../../core/path.js';
import type { ListOptions } from '../../storage/storage.js';

/** 415: Vault refuses a PATCH whose body is not declared a JSON merge patch. */
export class UnsupportedMediaType extends LockboxError {
  override readonly status = 415;
}

const tails = new Map<string, Promise<void>>();

/**
 * Runs `fn` alone for one key of one mount, like Vault's per-key locks: storage is only
 * read-committed, so without this two writers could both pass one check-and-set.
 */
export async function withKeyLock<T>(ctx: HandlerContext<unknown>, path: string, fn: () => Promise<T>): Promise<T> {
  const key = `${ctx.mount.uuid}\u0000${path}`;
  const previous = tails.get(key) ?? Promise.resolve();
  let release = (): void => {};
  const mine = new Promise<void>((resolve) => { release = resolve; });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/** Vault's HTTP layer: PATCH must say `Content-Type: application/merge-patch+json`. */
export function requireMergePatch(ctx: HandlerContext<unknown>): void {
  const header = ctx.request.headers['content-type'];
  const raw = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  const type = raw.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/merge-patch+json') {
    throw new UnsupportedMediaType(`PATCH requires Content-Type of application/merge-patch+json, provided ${type}`);
  }
}

/**
 * Lockbox's paging beyond Vault: LIST takes `after` (exclusive) and `limit` as query
 * parameters and answers in key order. Read from the query so a v1 body may use these names.
 */
export function listOptions(ctx: HandlerContext<unknown>): ListOptions {
  const { after, limit } = ctx.request.query;
  const options: ListOptions = {};
  if (after !== undefined && after !== '') options.after = after;
  if (limit !== undefined && limit !== '') {
    const n = Number(limit);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new BadRequest('error converting input for field "limit": expected a non-negative integer');
    }
    options.limit = n;
  }
  return options;
}

/** Vault's go-multierror text, which its KV validation errors arrive in. */
export function multiError(messages: string[]): string {
  const n = messages.length;
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}
