// The body digest SigV4 signs.
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the body bytes. */
export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
