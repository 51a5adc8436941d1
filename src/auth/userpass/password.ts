// Password hashing: scrypt from node:crypto, run on libuv's thread pool (async), with a random
// per-user salt. The parameters are stored with each hash so they can be raised later without
// breaking existing users.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** A stored password hash. */
export type PasswordHash = { alg: 'scrypt'; N: number; r: number; p: number; salt: string; hash: string };

/** N = 2^15, r = 8, p = 1: about 32 MiB and tens of milliseconds per check. */
const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a new password. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return { alg: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** A hash no password matches, checked for unknown users so they cost what a wrong password does. */
let decoy: Promise<PasswordHash> | undefined;

/** Whether `password` matches `stored`; with no stored hash, spends the same work and says no. */
export async function checkPassword(password: string, stored: PasswordHash | undefined): Promise<boolean> {
  const target = stored ?? (await (decoy ??= hashPassword(randomBytes(32).toString('base64'))));
  const key = await derive(password, Buffer.from(target.salt, 'base64'), target);
  const expected = Buffer.from(target.hash, 'base64');
  return key.length === expected.length && timingSafeEqual(key, expected) && stored !== undefined;
}
