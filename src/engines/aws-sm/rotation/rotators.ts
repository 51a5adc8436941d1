// Which rotation function a RotationLambdaARN names: a built-in database rotator
// (`lockbox:rotator:<Name>`) or a webhook (`lockbox:webhook:<url>`) on an allowed host.
import { invalidParameter } from '../errors.js';
import { BUILT_IN, databaseRotator } from './database.js';
import type { Rotator } from './steps.js';
import { webhookRotator } from './webhook.js';

/** Server settings rotation depends on. */
export type RotationSettings = { webhookHosts: readonly string[] };

const ROTATOR = 'lockbox:rotator:';
const WEBHOOK = 'lockbox:webhook:';

/** The rotator for an ARN, or InvalidParameterException naming the ones there are. */
export function rotatorFor(arn: string, settings: RotationSettings): Rotator {
  if (arn.startsWith(WEBHOOK)) return webhookRotator(arn.slice(WEBHOOK.length), settings.webhookHosts);
  const rotator = arn.startsWith(ROTATOR) ? databaseRotator(arn.slice(ROTATOR.length)) : undefined;
  if (!rotator) {
    throw invalidParameter(`Lockbox runs no rotation function ${arn}. Use one of ${BUILT_IN.map((n) => ROTATOR + n).join(', ')}, or ${WEBHOOK}<url> for a host the server allows.`);
  }
  return rotator;
}
