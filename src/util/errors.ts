// Error classes that carry their own HTTP status. This module imports nothing, so every layer
// may throw these; src/http/reply.ts is the one place that turns them into responses.

/** Base of every error whose message is safe to show the caller. */
export abstract class LockboxError extends Error {
  abstract readonly status: number;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller's request is malformed or not acceptable. */
export class BadRequest extends LockboxError { override readonly status: number = 400; }

/**
 * A login whose credentials were wrong (bad password, unknown secret-id). Answered as the
 * BadRequest it is; core also counts it towards the alias's lockout.
 */
export class InvalidCredentials extends BadRequest {}

/** Nothing at that path. Vault answers `{"errors":[]}` when the message is empty. */
export class NotFound extends LockboxError {
  override readonly status = 404;
  constructor(message = '') { super(message); }
}

/** The path exists but not for this operation. */
export class Unsupported extends LockboxError {
  override readonly status = 405;
  constructor(message = 'unsupported operation') { super(message); }
}

/** The request body is larger than the listener allows. */
export class TooLarge extends LockboxError {
  override readonly status = 413;
  constructor(message = 'http: request body too large') { super(message); }
}

/** Too many requests (quotas, lockout). */
export class RateLimited extends LockboxError { override readonly status = 429; }

/** One text for every cause of a refusal, so the answer is no oracle. */
export class PermissionDenied extends LockboxError {
  override readonly status = 403;
  constructor(message = 'permission denied') { super(message); }
}

/** The barrier is sealed. Vault's own CLI matches this exact text. */
export class Sealed extends LockboxError {
  override readonly status = 503;
  constructor() { super('Vault is sealed'); }
}

/** The server is not initialised yet (sys/init has not run). */
export class NotInitialized extends LockboxError {
  override readonly status = 400;
  constructor() { super('Vault is not initialized'); }
}

/** Our fault or an upstream's. The client sees "internal error"; message and cause go to the log. */
export class Internal extends LockboxError { override readonly status = 500; }

/**
 * Every failure to decrypt or authenticate a stored ciphertext. One class with one fixed
 * message, so a tampered entry tells an attacker nothing about why.
 */
export class DecryptFailed extends Internal {
  constructor(options?: ErrorOptions) { super('cipher: message authentication failed', options); }
}
