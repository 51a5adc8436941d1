// Vault's default password policy: 20 characters of letters, digits and '-', with at least one
// lowercase letter, one uppercase letter, one digit and one '-'. Drawn uniformly with randomInt.
import { randomInt } from 'node:crypto';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ALL = LOWER + UPPER + DIGITS + '-';
const LENGTH = 20;

const pick = (set: string) => set[randomInt(set.length)] as string;

/** A new password under Vault's default policy. */
export function generatePassword(): string {
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), '-'];
  while (chars.length < LENGTH) chars.push(pick(ALL));
  // Fisher–Yates, so the required characters sit anywhere.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** `n` alphanumeric characters, as Vault's `random` template function gives. */
export function randomAlphanumeric(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += pick(LOWER + UPPER + DIGITS);
  return out;
}
