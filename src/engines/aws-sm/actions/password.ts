// GetRandomPassword: characters drawn uniformly from the included classes with the CSPRNG;
// when each class is required, a draw missing one is thrown away and drawn again (which keeps
// every acceptable password equally likely).
import { randomInt } from 'node:crypto';
import { Internal } from '../../../util/errors.js';
import { invalidParameter } from '../errors.js';
import { optBool, optInt, optString, type Input } from '../members.js';

const CLASSES = {
  ExcludeUppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ExcludeLowercase: 'abcdefghijklmnopqrstuvwxyz',
  ExcludeNumbers: '0123456789',
  ExcludePunctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;

/** Draws this many times at most before giving up on a request that is possible but unlikely. */
const MAX_DRAWS = 10_000;

/** A random password from the options AWS's GetRandomPassword takes. */
export function randomPassword(input: Input): string {
  const length = optInt(input, 'PasswordLength', { min: 1, max: 4096 }) ?? 32;
  const excluded = new Set(optString(input, 'ExcludeCharacters', { max: 4096 }) ?? '');
  const requireEach = optBool(input, 'RequireEachIncludedType') ?? true;
  const classes: string[] = [];
  for (const [member, chars] of Object.entries(CLASSES)) {
    if (optBool(input, member) === true) continue;
    const left = [...chars].filter((c) => !excluded.has(c)).join('');
    if (left !== '') classes.push(left);
  }
  if (optBool(input, 'IncludeSpace') === true && !excluded.has(' ')) classes.push(' ');
  const alphabet = classes.join('');
  // The space is an extra character, never a class each password must contain.
  const required = requireEach ? classes.filter((c) => c !== ' ') : [];
  if (alphabet === '') throw invalidParameter('The password cannot be generated: every character is excluded.');
  if (required.length > length) throw invalidParameter(`The password length must be at least ${required.length} to include each required character type.`);
  return draw(alphabet, length, required);
}

/** Draws a password; on the rare run of misses the caller sees an internal error, not a weak password. */
function draw(alphabet: string, length: number, required: string[]): string {
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
    if (required.every((chars) => [...out].some((c) => chars.includes(c)))) return out;
  }
  throw new Internal('could not draw a password containing every required character type');
}
