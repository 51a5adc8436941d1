// The one place an error becomes a status code, and a response becomes Vault's envelope.
import { randomUUID } from 'node:crypto';
import { Internal, LockboxError } from '../util/errors.js';
import type { Logger } from '../core/log.js';
import type { Outcome } from '../core/core.js';
import { envelopeOf } from '../core/envelope.js';

/** Vault's error body. */
export type ErrorBody = { errors: string[] };

/** An HTTP answer before it is written. */
export type Reply = { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> };

/** Turns a thrown value into Vault's error answer; unknown errors are logged, never shown. */
export function errorReply(err: unknown, requestId: string, log: Logger): Reply {
  if (err instanceof LockboxError && !(err instanceof Internal)) {
    return { status: err.status, body: { errors: err.message === '' ? [] : [err.message] } };
  }
  const errorId = randomUUID();
  log.error('request failed', { request_id: requestId, error_id: errorId, error: err });
  return { status: 500, body: { errors: ['internal error'] } };
}

/** Renders a handler's outcome as Vault does. */
export function outcomeReply(outcome: Outcome, requestId: string): Reply {
  const { response, warnings, operation } = outcome;
  if (response?.raw) return response.raw;
  if (!response?.wrapInfo && (!response || isEmptyList(operation, response.data))) {
    if (operation === 'read' || operation === 'list') return { status: 404, body: { errors: [] } };
    if (warnings.length === 0) return { status: 204 };
  }
  const body = envelopeOf(response, warnings, outcome.mountType, requestId);
  return { status: response?.status ?? 200, body };
}

/** Vault answers 404 to a LIST with no keys. */
function isEmptyList(operation: string, data: Record<string, unknown> | null | undefined): boolean {
  if (operation !== 'list') return false;
  const keys = data?.keys;
  return !Array.isArray(keys) || keys.length === 0;
}
