// Auto-unseal at start, as Vault's server does: try, and while the seal's key service is
// unreachable or refuses, log why and try again with a growing pause (capped at Vault's 5 s),
// serving sys/seal-status (sealed) meanwhile. An uninitialised store is polled quietly: another
// node, or sys/init here, may initialise it. A configuration that can never unseal (stored and
// configured seals differ with no migration) is logged once and not retried. The loop's job ends
// with the first unseal, however it came (sys/init unseals an auto-sealed server itself): an
// operator's later sys/seal must hold, as in Vault, not be undone by a pending retry.
import type { ShamirSeal } from '../barrier/seal.js';
import { Pkcs11Wrapper } from '../barrier/pkcs11-wrapper.js';
import { TransitWrapper } from '../barrier/transit-wrapper.js';
import type { SealSetup, SealWrapper } from '../barrier/wrapper.js';
import type { Logger } from '../core/log.js';
import { BadRequest } from '../util/errors.js';
import type { SealBlock } from './seal-config.js';

/** The wrappers for the config's seal blocks: the enabled one, and the disabled one being left. */
export function sealSetupOf(blocks: SealBlock[], log: Logger): SealSetup {
  const wrap = (b: SealBlock | undefined): SealWrapper | undefined => {
    if (!b) return undefined;
    return b.type === 'transit' ? new TransitWrapper(b.transit, (msg, fields) => log.warn(msg, fields)) : new Pkcs11Wrapper(b.pkcs11);
  };
  return { wrapper: wrap(blocks.find((b) => !b.disabled)), previous: wrap(blocks.find((b) => b.disabled)) };
}

export type AutoUnsealOptions = { firstDelayMs?: number; maxDelayMs?: number };

/** Runs auto-unseal in the background until it succeeds, cannot apply, or `stop` is called. */
export function startAutoUnseal(seal: ShamirSeal, log: Logger, opts: AutoUnsealOptions = {}): { stop(): void; done: Promise<void> } {
  const first = opts.firstDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    wake = resolve;
    timer = setTimeout(resolve, ms);
  });
  const run = async () => {
    const m = seal.migration;
    if (m) log.warn(`entering seal migration mode from ${m.from} to ${m.to}: the server will not unseal itself; unseal with migrate = true (lockbox operator unseal -migrate)`);
    let delay = first;
    let failures = 0;
    while (!stopped) {
      try {
        const result = await seal.autoUnseal();
        if (result === 'unsealed') {
          log.info(`unsealed with the ${seal.type} seal`, failures > 0 ? { failed_attempts: failures } : {});
          return;
        }
        if (result === 'not-auto') return;
        await pause(max); // not initialised yet: look again later, without noise
      } catch (err) {
        if (err instanceof BadRequest) {
          log.error('auto-unseal is not possible', { error: err });
          return;
        }
        failures++;
        log.error(`auto-unseal failed; retrying in ${delay} ms`, { error: err, attempt: failures });
        await pause(delay);
        delay = Math.min(delay * 2, max);
      }
    }
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    wake?.();
  };
  const off = seal.on('unseal', stop);
  const done = run().finally(off);
  return { done, stop };
}
