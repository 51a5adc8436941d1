// PostgreSQL's password_authentication = "scram-sha-256": the password is hashed here into a
// SCRAM-SHA-256 verifier and only that goes into the SQL, so the database server (and its
// statement log) never sees the plain password. PostgreSQL stores a string of this form as it
// is, and checks logins against it (RFC 5802 / RFC 7677):
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>   (base64 parts)
import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const derive = promisify(pbkdf2);

/** PostgreSQL's own defaults (scram_iterations, and its 16-byte salts). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

/** Spaces other than U+0020 that SASLprep maps to a space (RFC 3454 C.1.2). */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
/** Characters SASLprep maps to nothing (RFC 3454 B.1). */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;

/**
 * The password as a SCRAM client prepares it (SASLprep's mapping and NFKC). Printable ASCII,
 * which is what password policies make by default, is unchanged.
 */
export function saslPrep(password: string): string {
  if (/^[\x20-\x7E]*$/.test(password)) return password;
  return password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/**
 * A SCRAM-SHA-256 verifier for `password`, with a fresh random salt unless one is given. The
 * key derivation (4096 rounds) runs on libuv's pool, off the event loop.
 */
export async function scramVerifier(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = ITERATIONS): Promise<string> {
  const salted = await derive(saslPrep(password), salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Vault's password_authentication values for PostgreSQL. */
export const PASSWORD_AUTHENTICATIONS = ['password', 'scram-sha-256'] as const;

/**
 * What `{{password}}` (and the default ALTER ROLE) is given for a connection: the password
 * itself, or its verifier under scram-sha-256.
 */
export async function passwordForStatements(config: { password_authentication: string }, password: string): Promise<string> {
  return config.password_authentication === 'scram-sha-256' ? scramVerifier(password) : password;
}
