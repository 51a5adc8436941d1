// Vault's batch_input: a list of objects processed one by one. An item's user error is
// reported in its own result. For encrypt and decrypt any failed item makes the answer a 400
// (with the results in its body) unless partial_failure_response_code asks for another status
// and some item succeeded; rewrap, sign, verify and hmac always answer 200.
import { BadRequest } from '../../util/errors.js';
import type { HandlerContext, Response } from '../../core/path.js';

/** One raw batch item: string fields as sent (Vault decodes them strictly as strings). */
export type BatchItem = Record<string, unknown>;

/** The items of `batch_input`, or undefined when none was sent. */
export function batchItems(raw: unknown): BatchItem[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new BadRequest('failed to parse batch input: source data must be an array or slice');
  raw.forEach((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new BadRequest(`failed to parse batch input: [${i}] expected a map, got '${Array.isArray(item) ? '[]interface {}' : typeof item}'`);
    }
  });
  if (raw.length === 0) throw new BadRequest('missing batch input to process');
  return raw as BatchItem[];
}

/** A string field of an item ('' when absent or null), or Vault's type error for the item. */
export function itemString(item: BatchItem, name: string, index: number): string {
  const v = item[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new BadRequest(`'[${index}].${name}' expected type 'string', got unconvertible type '${goType(v)}'`);
  return v;
}

/** An integer field of an item (0 when absent). */
export function itemInt(item: BatchItem, name: string, index: number): number {
  const v = item[name];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(`'[${index}].${name}' expected type 'int', got unconvertible type '${goType(v)}'`);
  return n;
}

const goType = (v: unknown): string =>
  typeof v === 'number' ? 'json.Number' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';

/**
 * Runs `one` per item; a BadRequest becomes that item's error, anything else fails the request.
 * `blank` holds the fields Vault still shows on a failed item (its Go structs do not omit them:
 * decrypt's `plaintext`, sign's `key_version`, verify's `valid`).
 */
export function runBatch(
  items: BatchItem[],
  one: (item: BatchItem, index: number) => Record<string, unknown>,
  blank: Record<string, unknown> = {},
): { results: Array<Record<string, unknown>>; failures: number } {
  const results: Array<Record<string, unknown>> = new Array(items.length);
  let failures = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as BatchItem;
    const reference = typeof item.reference === 'string' ? item.reference : '';
    try {
      const result = one(item, i);
      result.reference = reference;
      results[i] = result;
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      failures += 1;
      results[i] = { ...blank, error: err.message, reference };
    }
  }
  return { results, failures };
}

/**
 * The response of a batch, with Vault's statuses: 200 when every item succeeded; otherwise
 * 400 with the results in the body, or `partialFailureCode` (when sent) if some item
 * succeeded. A code outside 1-599 is not refused: Vault warns and keeps the 400.
 */
export function batchResponse(results: unknown[], failures: number, partialFailureCode?: number): Response {
  const response: Response = { data: { batch_results: results } };
  if (failures === 0) return response;
  response.status = 400;
  if (partialFailureCode !== undefined && failures < results.length) {
    if (partialFailureCode < 1 || partialFailureCode > 599) {
      response.warnings = ['invalid HTTP response code override from partial_failure_response_code, reverting to 400'];
    } else {
      response.status = partialFailureCode;
    }
  }
  return response;
}

/** The single-request fields as one batch item. */
export const singleItem = (f: Record<string, unknown>, names: string[]): BatchItem =>
  Object.fromEntries(names.map((n) => [n, f[n]]));

/** A handler context with loosely typed fields, shared by the batch-capable paths. */
export type Ctx = HandlerContext<Record<string, unknown>>;

/** How a batch reports failed items. */
export type BatchShape = {
  /** Fields a failed item still carries (see runBatch). */
  blank?: Record<string, unknown>;
  /**
   * Vault's rewrap, sign, verify and hmac answer 200 even when every item failed (only
   * encrypt and decrypt turn a failed item into a 400).
   */
  alwaysOk?: boolean;
};

/**
 * Runs an operation on one item or a batch. A single request's error is the request's error;
 * a batch reports errors per item.
 */
export async function singleOrBatch(ctx: Ctx, names: string[], one: (item: BatchItem, i: number) => Record<string, unknown>, shape: BatchShape = {}) {
  const items = batchItems(ctx.fields.batch_input);
  if (!items) return { data: one(singleItem(ctx.fields, names), 0) };
  if (shape.alwaysOk) return { data: { batch_results: runBatch(items, one, shape.blank).results } };
  const { results, failures } = runBatch(items, one, shape.blank);
  const code = ctx.sent.has('partial_failure_response_code') ? ctx.fields.partial_failure_response_code as number : undefined;
  return batchResponse(results, failures, code);
}

