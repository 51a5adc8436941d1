// RSA key generation on a small pool of low-priority worker threads (keygen-worker.ts), one
// per core. On libuv's pool the key generations run at the main thread's priority, and with
// every core busy the event loop waits its turn for a core: tens of ms of loop delay. The
// KeyObject comes back by structured clone; nothing else crosses.
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** The nice value the workers give themselves (main thread: 0). */
export const KEYGEN_NICE = 19;

export type KeygenJob = { id: number; bits: number };
export type KeygenReply = { id: number; key?: KeyObject; error?: string };

type Pending = { resolve: (k: KeyObject) => void; reject: (e: Error) => void };
type Slot = { worker: Worker; busy: boolean };

const slots: Slot[] = [];
const queue: Array<KeygenJob & Pending> = [];
const inFlight = new Map<number, Pending & { slot: Slot }>();
let nextId = 0;

function startSlot(): Slot {
  const slot: Slot = { worker: new Worker(new URL('./keygen-worker.js', import.meta.url)), busy: false };
  // Idle workers must not keep the process alive.
  slot.worker.unref();
  slot.worker.on('message', (reply: KeygenReply) => {
    const job = inFlight.get(reply.id);
    inFlight.delete(reply.id);
    slot.busy = false;
    if (job) {
      if (reply.key) job.resolve(reply.key);
      else job.reject(new Error(reply.error ?? 'key generation failed'));
    }
    dispatch();
  });
  // A dead worker fails its job and leaves the pool; the next job starts a fresh one.
  const fail = (err: Error) => {
    slots.splice(slots.indexOf(slot), 1);
    for (const [id, job] of inFlight) if (job.slot === slot) { inFlight.delete(id); job.reject(err); }
    dispatch();
  };
  slot.worker.on('error', fail);
  slot.worker.on('exit', (code) => { if (slots.includes(slot)) fail(new Error(`key generation worker exited with code ${code}`)); });
  slots.push(slot);
  return slot;
}

function dispatch(): void {
  while (queue.length > 0) {
    const slot = slots.find((s) => !s.busy) ?? (slots.length < availableParallelism() ? startSlot() : undefined);
    if (!slot) return;
    const job = queue.shift()!;
    slot.busy = true;
    slot.worker.ref();
    inFlight.set(job.id, { resolve: job.resolve, reject: job.reject, slot });
    slot.worker.postMessage({ id: job.id, bits: job.bits } satisfies KeygenJob);
  }
  // Nothing running: let the process exit if it wants to.
  for (const s of slots) if (!s.busy) s.worker.unref();
}

/** A new RSA private key of `bits`, generated off the main thread at low priority. */
export function generateRsaKey(bits: number): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, bits, resolve, reject });
    dispatch();
  });
}
