// New access key ids and secrets, shaped like AWS's so clients' own checks accept them.
import { randomInt } from 'node:crypto';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const draw = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

/** 20 characters: `LKIA` (long-lived) or `LSIA` (temporary) and 16 of base32. */
export const newAccessKeyId = (temporary: boolean) => `${temporary ? 'LSIA' : 'LKIA'}${draw(ID_ALPHABET, 16)}`;
/** 40 characters, as AWS secret keys are. */
export const newSecretAccessKey = () => draw(SECRET_ALPHABET, 40);
/** An opaque session token for a temporary key. */
export const newSessionToken = () => draw(SECRET_ALPHABET, 128);
