// `lockbox:webhook:<url>`: each step is a POST of {"SecretId","ClientRequestToken","Step"},
// the event an AWS rotation Lambda receives, so an existing rotation function runs unchanged
// as a small HTTP service (it calls back with its own key to read and label versions). Only
// hosts on the server's allow-list are called: the URL comes from any caller allowed to rotate.
import { invalidParameter } from '../errors.js';
import { CURRENT, StepFailure, current, type Rotator } from './steps.js';

const TIMEOUT_MS = 30_000;

/** Parses a webhook URL and checks its host against the allow-list (`host` or `host:port`). */
export function webhookUrl(text: string, allowed: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidParameter(`The rotation webhook ${text} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParameter(`The rotation webhook ${text} must be an http or https URL.`);
  if (url.username || url.password) throw invalidParameter('The rotation webhook URL must not hold credentials.');
  if (!allowed.includes(url.host) && !allowed.includes(url.hostname)) {
    throw invalidParameter(`The rotation webhook host ${url.host} is not allowed: the server's aws_sm_rotation_webhook_hosts does not list it.`);
  }
  return url;
}

export function webhookRotator(text: string, allowed: readonly string[]): Rotator {
  const url = webhookUrl(text, allowed);
  return {
    async run(step, ctx) {
      const record = await current(ctx);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ SecretId: record.arn, ClientRequestToken: ctx.token, Step: step }),
          signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error',
        });
        await res.arrayBuffer();
      } catch (err) {
        throw new StepFailure(`${step}: the rotation webhook could not be reached (${err instanceof Error ? err.message : String(err)}).`);
      }
      if (!res.ok) throw new StepFailure(`${step}: the rotation webhook answered HTTP ${res.status}.`);
      if (step === 'finishSecret') {
        const after = await current(ctx);
        if (!after.versions[ctx.token]?.stages.includes(CURRENT)) throw new StepFailure(`finishSecret: the rotation webhook did not move ${CURRENT} to version ${ctx.token}.`);
      }
    },
  };
}
