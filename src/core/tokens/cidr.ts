// Bound CIDRs of a token (from its role's token_bound_cidrs): the networks it may be used from,
// checked on every request, as Vault does.
import { BlockList, isIP } from 'node:net';

/** Parses one address or CIDR block ("10.0.0.0/8", "::1", "192.0.2.7"); undefined if invalid. */
function parseBlock(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits, ...more] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || more.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The entries that are not a valid address or CIDR block. */
export function invalidCidrs(list: readonly string[]): string[] {
  return list.filter((c) => parseBlock(c) === undefined);
}

/** Whether `remote` (as Node reports it, IPv4 possibly mapped into IPv6) is inside one of `cidrs`. */
export function remoteAllowed(remote: string, cidrs: readonly string[]): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  const address = mapped ? (mapped[1] as string) : remote;
  const family = isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : undefined;
  if (!family) return false;
  const list = new BlockList();
  for (const c of cidrs) {
    const block = parseBlock(c);
    if (block) list.addSubnet(block.address, block.prefix, block.family);
  }
  return list.check(address, family);
}
