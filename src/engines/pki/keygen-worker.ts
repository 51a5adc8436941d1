// Worker thread entry: generates RSA keys synchronously on this thread, at the nice value the
// pool gives it (Linux sets nice per thread). A 2048-bit key is ~100 ms of CPU and 4096-bit
// seconds; the pool's low-priority thread lets the main thread take its core the moment it
// wakes, so the event loop (and sys/health) keeps answering while every core generates keys.
import { generateKeyPairSync } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { KeygenJob, KeygenReply } from './keygen-pool.js';

const { nice } = workerData as { nice: number };
try {
  // /proc/thread-self names this thread as <pid>/task/<tid>; elsewhere the default priority stays.
  if (nice !== 0) setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
} catch {
  // Not Linux, or not permitted: keys are still generated, only without the lower priority.
}

parentPort!.on('message', (job: KeygenJob) => {
  let reply: KeygenReply;
  try {
    reply = { id: job.id, key: generateKeyPairSync('rsa', { modulusLength: job.bits }).privateKey };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : 'key generation failed' };
  }
  parentPort!.postMessage(reply);
});
