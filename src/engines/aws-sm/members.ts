// Reading request members with the model's limits: a wrong JSON type is a
// SerializationException, a length or range outside the model a ValidationException (with
// AWS's wording, never quoting a sensitive value). Unknown members are ignored, as AWS does.
import { AwsError } from '../../util/aws-error.js';
import { invalidName, validation } from './errors.js';

/** A request body as sent. */
export type Input = Record<string, unknown>;

type Limits = { min?: number; max?: number; sensitive?: boolean };

const camel = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);
const wrongType = (member: string) => new AwsError('SerializationException', `Start of structure or map found where not expected for member ${member}.`);

/** A length outside the model's limits is a ValidationException (`length` defaults to the string's). */
export function check(member: string, value: string, { min = 0, max = Infinity, sensitive }: Limits, length = value.length) {
  const shown = sensitive ? "Value at '" : `Value '${value}' at '`;
  if (length < min) throw validation(`1 validation error detected: ${shown}${camel(member)}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (length > max) throw validation(`1 validation error detected: ${shown}${camel(member)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

/** An optional string member (JSON null counts as absent). */
export function optString(input: Input, member: string, limits: Limits = {}): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(member);
  check(member, value, limits);
  return value;
}

/** A required string member. */
export function reqString(input: Input, member: string, limits: Limits = {}): string {
  const value = optString(input, member, limits);
  if (value === undefined) throw validation(`1 validation error detected: Value null at '${camel(member)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export function optBool(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(member);
  return value;
}

export function optInt(input: Input, member: string, range: { min: number; max: number }): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member);
  if (value < range.min) throw validation(`1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value greater than or equal to ${range.min}`);
  if (value > range.max) throw validation(`1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value less than or equal to ${range.max}`);
  return value;
}

/** An optional list member whose items `item` reads. */
export function optList<T>(input: Input, member: string, limits: { min?: number; max: number }, item: (v: unknown) => T): T[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(member);
  if (value.length < (limits.min ?? 0)) throw validation(`1 validation error detected: Value at '${camel(member)}' failed to satisfy constraint: Member must have length greater than or equal to ${limits.min}`);
  if (value.length > limits.max) throw validation(`1 validation error detected: Value at '${camel(member)}' failed to satisfy constraint: Member must have length less than or equal to ${limits.max}`);
  return value.map(item);
}

/** A list of strings with per-item limits. */
export const optStrings = (input: Input, member: string, limits: { min?: number; max: number }, itemLimits: Limits = {}) =>
  optList(input, member, limits, (v) => {
    if (typeof v !== 'string') throw wrongType(member);
    check(member, v, itemLimits);
    return v;
  });

/** A structure member (a JSON object). */
export function optObject(value: unknown, member: string): Input {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType(member);
  return value as Input;
}

const NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/** A secret name: 1–512 characters from AWS's set. */
export function secretName(input: Input, member = 'Name'): string {
  const name = reqString(input, member, { min: 1, max: 512 });
  if (!NAME.test(name)) throw invalidName();
  return name;
}

/** A SecretId: a name (same character rule) or an ARN. */
export function secretId(input: Input, member = 'SecretId'): string {
  const id = reqString(input, member, { min: 1, max: 2048 });
  if (!id.startsWith('arn:') && !NAME.test(id)) throw invalidName();
  return id;
}

/** A client request token (the version id it becomes): 32–64 characters. */
export const requestToken = (input: Input, member = 'ClientRequestToken') => optString(input, member, { min: 32, max: 64 });

/** A version id member: 32–64 characters. */
export const versionId = (input: Input, member: string) => optString(input, member, { min: 32, max: 64 });
