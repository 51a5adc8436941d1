// Worker thread entry: builds one CRL off the main event loop (a 100,000-entry CRL takes
// seconds of CPU). The job arrives with the issuer key as a KeyObject, which Node clones
// into the worker; the DER goes back to the caller, nothing else leaves.
import { parentPort } from 'node:worker_threads';
import { buildCrl } from './crl-build.js';
import type { CrlJob } from './crl-offload.js';

parentPort!.once('message', (job: CrlJob) => {
  buildCrl(job.signer, job.alg, job.contents).then(
    (der) => parentPort!.postMessage({ der }),
    (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : 'CRL build failed' }),
  );
});
