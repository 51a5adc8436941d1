// Requested names to SANs, and Vault's rules for which names a role allows.
import { globMatch } from '../../util/glob.js';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { BadRequest } from '../../util/errors.js';
import type { Sans } from './certs.js';

/** SANs from the request: the CN joins the DNS (or email) names unless excluded. */
export function requestedSans(f: { common_name: string; alt_names: string[]; ip_sans: string[]; uri_sans: string[]; other_sans: string[]; exclude_cn_from_sans: boolean }): Sans {
  if (f.other_sans.length > 0) throw new BadRequest('other_sans are not supported by this server');
  const sans: Sans = { dns: [], ip: [], uri: [...f.uri_sans], email: [] };
  const add = (name: string) => {
    if (name === '') return;
    const list = name.includes('@') ? sans.email : sans.dns;
    if (!list.includes(name)) list.push(name);
  };
  if (!f.exclude_cn_from_sans && f.common_name !== '' && !isIP(f.common_name)) add(f.common_name);
  for (const n of f.alt_names) add(n);
  for (const ip of f.ip_sans) {
    if (isIP(ip) === 0) throw new BadRequest(`the value "${ip}" is not a valid IP address`);
    if (!sans.ip.includes(ip)) sans.ip.push(ip);
  }
  return sans;
}

/** A hostname in Vault's sense (RFC 1123 labels, an optional leading wildcard label). */
export function validHostname(name: string): boolean {
  const ascii = domainToASCII(name.startsWith('*.') ? name.slice(2) : name);
  if (ascii === '' || ascii.length > 253) return false;
  return ascii.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

/** The parts of a role that decide which names it allows. */
export type NamePolicy = {
  allow_localhost: boolean; allowed_domains: string[]; allowed_domains_template: boolean; allow_bare_domains: boolean;
  allow_subdomains: boolean; allow_glob_domains: boolean; allow_wildcard_certificates: boolean; allow_any_name: boolean;
  enforce_hostnames: boolean;
};


/**
 * Whether the role allows one DNS name or email address. Wildcards (`*.a.com`) are checked
 * as their base name under subdomain rules, as Vault does.
 */
export function nameAllowed(role: NamePolicy, requested: string): boolean {
  if (role.allow_any_name) {
    return !role.enforce_hostnames || requested.includes('@') || validHostname(requested);
  }
  let name = requested;
  const at = name.lastIndexOf('@');
  const isEmail = at !== -1;
  if (isEmail) name = name.slice(at + 1);
  let wildcard = false;
  if (name.startsWith('*.')) {
    if (!role.allow_wildcard_certificates) return false;
    wildcard = true;
  }
  if (role.enforce_hostnames && !validHostname(name)) return false;
  const base = wildcard ? name.slice(2) : name;
  if (role.allow_localhost && (name === 'localhost' || name === 'localdomain' || name.endsWith('.localhost') || name.endsWith('.localdomain'))) {
    return !wildcard;
  }
  const lower = domainToASCII(base).toLowerCase() || base.toLowerCase();
  for (const rawDomain of role.allowed_domains) {
    const domain = (domainToASCII(rawDomain) || rawDomain).toLowerCase();
    if (domain === '') continue;
    // A bare match of the domain itself (not of a wildcard over it: *.a.com is a subdomain).
    if (!wildcard && role.allow_bare_domains && lower === domain) return true;
    if (role.allow_subdomains && (lower.endsWith(`.${domain}`) || (wildcard && lower === domain))) return true;
    if (role.allow_glob_domains && domain.includes('*') && globMatch(domain, wildcard ? `*.${lower}` : lower)) return true;
  }
  return false;
}
