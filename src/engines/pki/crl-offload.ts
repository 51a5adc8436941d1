// Where a CRL is built: small ones inline, large ones in a worker thread so the event loop
// keeps serving requests (and sys/health) while thousands of entries are encoded and signed.
import { Worker } from 'node:worker_threads';
import { buildCrl, type CrlContents } from './crl-build.js';
import type { SigningAlgorithm } from './keys.js';
import type { SigningKey } from './sign.js';

/** Entries at which building moves to a worker (below it, starting a thread costs more). */
export const WORKER_THRESHOLD = 2000;

/** What the worker receives. */
export type CrlJob = { signer: SigningKey; alg: SigningAlgorithm; contents: CrlContents };

/** Builds a CRL, in a worker thread when it is large. */
export async function buildCrlOffLoop(signer: SigningKey, alg: SigningAlgorithm, contents: CrlContents, threshold = WORKER_THRESHOLD): Promise<Buffer> {
  if (contents.entries.length < threshold) return buildCrl(signer, alg, contents);
  const worker = new Worker(new URL('./crl-worker.js', import.meta.url));
  try {
    const reply = await new Promise<{ der?: Uint8Array; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`CRL worker exited with code ${code}`)));
      // Only the key id and key travel; the KeyObject is cloned into the worker.
      worker.postMessage({ signer: { keyId: signer.keyId, key: signer.key }, alg, contents } satisfies CrlJob);
    });
    if (!reply.der) throw new Error(reply.error ?? 'CRL build failed');
    return Buffer.from(reply.der);
  } finally {
    await worker.terminate();
  }
}
