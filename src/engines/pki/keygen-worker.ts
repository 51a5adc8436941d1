// Worker thread entry: generates RSA keys synchronously on this thread, which first lowers its
// own scheduling priority (Linux sets nice per thread). A 2048-bit key is ~100 ms of CPU and
// 4096-bit seconds; at low priority the main thread still gets a core the moment it wakes, so
// the event loop (and sys/health) keeps answering while every core generates keys.
import { generateKeyPairSync } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { KEYGEN_NICE, type KeygenJob, type KeygenReply } from './keygen-pool.js';

try {
  // /proc/thread-self names this thread as <pid>/task/<tid>; elsewhere the default priority stays.
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), KEYGEN_NICE);
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
