// The failures of this method that are neither the caller's fault nor hidden: Vault answers
// them with a 500 that names the problem (a missing CA file, an unreadable service account).
import { LockboxError } from '../../util/errors.js';

/** A 500 whose message is ours and safe to show (it never quotes a token). */
export class ServerError extends LockboxError { override readonly status = 500; }
