// ACME errors (RFC 8555 §6.7): application/problem+json with urn:ietf:params:acme:error types.
import type { Problem } from './state.js';

/** An ACME problem, thrown by handlers and rendered by the ACME wrapper. */
export class AcmeProblem extends Error {
  readonly problem: Problem;
  constructor(type: string, detail: string, status = 400) {
    super(detail);
    this.problem = { type: `urn:ietf:params:acme:error:${type}`, detail, status };
  }
}

export const malformed = (detail: string) => new AcmeProblem('malformed', detail);
export const unauthorized = (detail: string) => new AcmeProblem('unauthorized', detail, 403);
export const notFound = (detail: string) => new AcmeProblem('malformed', detail, 404);
