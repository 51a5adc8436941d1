// An error answered in AWS's JSON protocol shape, `{"__type": code, "Message": text}`. A leaf
// module like errors.ts: the SigV4 auth method and the aws-sm engine both throw it, and the
// aws-sm wire translator renders it. On Vault's /v1 API it is an ordinary 400 (or its status).
import { LockboxError } from './errors.js';

/** A client error with AWS's exception name; `status` 400 unless AWS answers otherwise. */
export class AwsError extends LockboxError {
  override readonly status: number;
  readonly code: string;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
