// Seeds a PKI mount with many stored certificates through the engine's own store function, for
// the scale test and bench/pki-scale.ts: `certs/` entries (with their expiry index) under fresh
// unique serials, reusing a few real certificates as their bodies; every other one expired past
// the safety buffer, and the first `revoked` of them revoked. Exports functions only.
import type { TestServer } from '../../helpers/server.js';
import type { Storage } from '../../../src/storage/storage.js';
import { newSerialHex } from '../../../src/engines/pki/certs.js';
import { revokedEntry } from '../../../src/engines/pki/revoke.js';
import { putJson, storeCertificate } from '../../../src/engines/pki/store.js';

const DAY = 86_400;

export type SeedPlan = {
  /** Stored certificate entries to write. */
  total: number;
  /** How many of them (the first ones) also get a `revoked/` entry. */
  revoked: number;
  /** Real PEM certificates, reused round-robin as the stored bodies. */
  pems: string[];
  issuerId: string;
  /** Writes in flight at once (lets the storage batch its commits). */
  concurrency?: number;
  /** Called for each entry written: its hex serial, whether expired, whether revoked. */
  onEntry?: (hex: string, expired: boolean, revoked: boolean) => void;
  /** Called every 10,000 entries with the count so far. */
  onProgress?: (done: number) => void;
};

/** The storage view of the mount at `path` ('pki/'). */
export function mountStorage(srv: TestServer, path: string): Storage {
  return srv.core.unsealed.mounts.viewOf(srv.core.unsealed.mounts.get('mounts', path)!);
}

/** Issues `count` real leaf certificates under `role`; answers their PEMs. */
export async function issueReal(srv: TestServer, mount: string, role: string, count: number): Promise<string[]> {
  const pems: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await srv.api('POST', `${mount}/issue/${role}`, { common_name: `real${i}.example.com` });
    if (r.status !== 200) throw new Error(`issue failed: ${JSON.stringify(r.body)}`);
    pems.push(r.body.data.certificate as string);
  }
  return pems;
}

/**
 * Writes the plan's entries: even indexes expired 4 days ago (past tidy's 72h default safety
 * buffer), odd ones valid for 30 more days; revocations dated 5 days ago.
 */
export async function seedCertificates(storage: Storage, plan: SeedPlan): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= plan.total) return;
      const hex = newSerialHex();
      const expired = i % 2 === 0;
      const notAfter = expired ? now - 4 * DAY : now + 30 * DAY;
      const pem = plan.pems[i % plan.pems.length]!;
      await storeCertificate(storage, hex, { certificate: pem, not_after: notAfter, issuer_id: plan.issuerId });
      const revoked = i < plan.revoked;
      if (revoked) {
        await putJson(storage, `revoked/${hex}`, revokedEntry(hex, now - 5 * DAY, plan.issuerId, pem, notAfter));
      }
      plan.onEntry?.(hex, expired, revoked);
      if ((i + 1) % 10_000 === 0) plan.onProgress?.(i + 1);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency ?? 1 }, worker));
}

/** Walks `certs` LIST with after/limit pages; answers every key in order. */
export async function listAllCerts(srv: TestServer, mount: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let afterKey = '';
  for (;;) {
    const page = await srv.api('LIST', `${mount}/certs?limit=${limit}${afterKey ? `&after=${afterKey}` : ''}`);
    if (page.status !== 200) throw new Error(`LIST failed: ${page.status} ${JSON.stringify(page.body)}`);
    const keys = page.body.data.keys as string[];
    seen.push(...keys);
    if (keys.length < limit) return seen;
    afterKey = keys[keys.length - 1]!;
  }
}

/** Polls tidy-status until the run is no longer Running; answers the last status. */
export async function waitForTidy(srv: TestServer, mount: string, maxPolls = 30_000): Promise<Record<string, unknown>> {
  let status: Record<string, unknown> = {};
  for (let i = 0; i < maxPolls; i++) {
    status = (await srv.api('GET', `${mount}/tidy-status`)).body.data;
    if (status.state !== 'Running') return status;
    await new Promise((res) => setTimeout(res, 100));
  }
  return status;
}
