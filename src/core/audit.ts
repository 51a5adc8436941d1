// The hook through which every request and response reaches the audit log. Core calls it;
// src/audit/ implements it (devices, HMAC of secrets, fail-closed broker).
import type { Caller, LogicalRequest, MountInfo, Response } from './request.js';

/** Everything an audit record says about one request. */
export type AuditInput = {
  request: LogicalRequest;
  /** The caller, when a valid token was sent. */
  caller?: Caller;
  /** The routed mount, when routing got that far. */
  mount?: MountInfo;
  /** The operation after create/update resolution. */
  operation: string;
  /** The response, for response records. */
  response?: Response & { leaseId?: string };
  /** Why the request failed, when it did. */
  error?: string;
};

/** Receives audit records. `log*` must throw when no device could record (fail closed). */
export interface AuditBroker {
  /** Whether any device is enabled; with none, nothing is logged and nothing can fail. */
  enabled(): boolean;
  logRequest(input: AuditInput): Promise<void>;
  logResponse(input: AuditInput): Promise<void>;
}

/** The broker of a server with no audit devices. */
export const noAudit: AuditBroker = {
  enabled: () => false,
  logRequest: async () => {},
  logResponse: async () => {},
};

/**
 * The input of a request's response record: its request record's, with the response. Written
 * out rather than spread: inputs come in several shapes, and such a spread is V8's slow path.
 */
export function withResponse(input: AuditInput, response: AuditInput['response']): AuditInput {
  return { request: input.request, caller: input.caller, mount: input.mount, operation: input.operation, response, error: input.error };
}
