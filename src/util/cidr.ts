// CIDR blocks as Vault's auth methods take them ("10.0.0.0/8", a bare address meaning that one
// host), checked with node:net's BlockList so no address arithmetic is written by hand.
import { BlockList, isIP } from 'node:net';

/** Vault's CIDR parse error, without echoing the value (it may be mistyped into the wrong field). */
export class CidrError extends Error {}

/** Splits a block into address and prefix; a bare address is a single host. */
function parts(block: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText] = block.trim().split('/');
  const version = isIP(address);
  if (version === 0) throw new CidrError(`invalid CIDR block ${JSON.stringify(block)}`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new CidrError(`invalid CIDR block ${JSON.stringify(block)}`);
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Validates and normalises a list of blocks (trimmed, empty entries dropped); throws CidrError. */
export function parseCidrs(blocks: string[]): string[] {
  const out = blocks.map((b) => b.trim()).filter((b) => b !== '');
  for (const b of out) parts(b);
  return out;
}

/** The caller's address as Node reports it, without the IPv4-mapped IPv6 form. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Whether `address` lies in any of `blocks`; an empty list allows every address. */
export function cidrsAllow(blocks: string[] | undefined, address: string): boolean {
  if (!blocks || blocks.length === 0) return true;
  const addr = plainAddress(address);
  const version = isIP(addr);
  if (version === 0) return false;
  const list = new BlockList();
  for (const b of blocks) {
    const p = parts(b);
    list.addSubnet(p.address, p.prefix, p.family);
  }
  return list.check(addr, version === 4 ? 'ipv4' : 'ipv6');
}

/** Whether every block of `inner` lies inside some block of `outer` (Vault's subset rule). */
export function cidrsWithin(inner: string[], outer: string[]): boolean {
  if (outer.length === 0) return true;
  const outerParts = outer.map(parts);
  return inner.every((b) => {
    const p = parts(b);
    return outerParts.some((o) => o.family === p.family && o.prefix <= p.prefix && cidrsAllow([`${o.address}/${o.prefix}`], p.address));
  });
}
