// What auth methods need of CIDR lists beyond the token check in cidr.ts: validating a list
// as sent (Vault's parse errors), "any address when empty", and the subset rule an AppRole
// secret-id's lists must keep against its role's.
import { invalidCidrs, remoteAllowed } from './cidr.js';

/** A list entry that is not an address or CIDR block (the message names it: CIDRs are not secret). */
export class CidrError extends Error {}

/** Trims, drops empty entries and validates; throws CidrError on the first bad entry. */
export function parseCidrs(blocks: string[]): string[] {
  const out = blocks.map((b) => b.trim()).filter((b) => b !== '');
  const bad = invalidCidrs(out)[0];
  if (bad !== undefined) throw new CidrError(`invalid CIDR block ${JSON.stringify(bad)}`);
  return out;
}

/** Whether `address` may act under `blocks`; an empty list allows every address. */
export const cidrsAllow = (blocks: string[] | undefined, address: string) => !blocks || blocks.length === 0 || remoteAllowed(address, blocks);

const prefixOf = (block: string) => {
  const [address = '', bits] = block.split('/');
  return { address, bits: bits === undefined ? (address.includes(':') ? 128 : 32) : Number(bits) };
};

/** Whether every block of `inner` lies inside some block of `outer` (an empty `outer` allows all). */
export function cidrsWithin(inner: string[], outer: string[]): boolean {
  if (outer.length === 0) return true;
  return inner.every((b) => {
    const i = prefixOf(b);
    // A block is inside another when its own address is, and it is no wider.
    return outer.some((o) => prefixOf(o).bits <= i.bits && remoteAllowed(i.address, [o]));
  });
}
