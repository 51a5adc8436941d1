// AIA and CRL distribution URLs: the mount's config/urls, overridden per issuer, with Vault's
// templating ({{issuer_id}}, {{cluster_path}}, {{cluster_aia_path}}) when enabled.
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import type { Urls } from './certs.js';
import { getJson, type IssuerEntry, type UrlsConfig } from './store.js';

export const EMPTY_URLS: UrlsConfig = { issuing_certificates: [], crl_distribution_points: [], delta_crl_distribution_points: [], ocsp_servers: [], enable_templating: false };

/** The URL lists a mount or an issuer sets, in the order Vault checks them. */
export const URL_LISTS = ['issuing_certificates', 'crl_distribution_points', 'delta_crl_distribution_points', 'ocsp_servers'] as const;

export type ClusterConfig = { path: string; aia_path: string };

export async function urlsConfig(storage: Storage): Promise<UrlsConfig> {
  return { ...EMPTY_URLS, ...(await getJson<UrlsConfig>(storage, 'config/urls')) };
}

export async function clusterConfig(storage: Storage): Promise<ClusterConfig> {
  return { path: '', aia_path: '', ...(await getJson<ClusterConfig>(storage, 'config/cluster')) };
}

/** Every URL must parse; Vault refuses the whole write otherwise. */
export function checkUrls(urls: string[], name: string): void {
  for (const u of urls) {
    if (u.includes('{{')) continue;
    try {
      new URL(u);
    } catch {
      throw new BadRequest(`invalid ${name} URL: ${u}`);
    }
  }
}

const TEMPLATES = ['{{issuer_id}}', '{{cluster_path}}', '{{cluster_aia_path}}'];

/**
 * Vault's URL test for AIA values (its isURL): 4 to 2082 characters, not starting with a dot,
 * an absolute URI (http:// put in front of a bare host:port) or an absolute path with a dot in
 * it, and no template left in it. Control bytes are refused, as Go's ParseRequestURI refuses
 * them (WHATWG's URL parser would strip or encode them instead).
 */
export function isAiaUrl(value: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(value)) return false;
  if (value.length <= 3 || [...value].length >= 2083 || value.startsWith('.')) return false;
  if (TEMPLATES.some((t) => value.includes(t))) return false;
  const text = value.includes(':') && !value.includes('://') ? `http://${value}` : value;
  if (text.startsWith('/')) return !/\s/.test(text) && (text.split(/[?#]/)[0] ?? '').includes('.');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.host.startsWith('.')) return false;
  return !(url.host === '' && url.pathname !== '' && !url.pathname.includes('.'));
}

/** Vault's refusal for the first list holding a bad URL (unchecked while templating is on). */
export function checkAiaUrls(lists: Partial<Record<(typeof URL_LISTS)[number], string[]>>): void {
  for (const name of URL_LISTS) {
    const bad = (lists[name] ?? []).find((u) => !isAiaUrl(u));
    if (bad !== undefined) throw new BadRequest(`invalid URL found in Authority Information Access (AIA) parameter ${name}: ${bad}`);
  }
}

function expand(list: string[], issuerId: string, cluster: ClusterConfig): string[] {
  return list.map((u) => {
    let out = u.replaceAll('{{issuer_id}}', issuerId);
    if (out.includes('{{cluster_path}}')) {
      if (cluster.path === '') throw new BadRequest('unable to template AIA URLs as we lack local cluster address information (path)');
      out = out.replaceAll('{{cluster_path}}', cluster.path);
    }
    if (out.includes('{{cluster_aia_path}}')) {
      if (cluster.aia_path === '') throw new BadRequest('unable to template AIA URLs as we lack local cluster address information (aia_path)');
      out = out.replaceAll('{{cluster_aia_path}}', cluster.aia_path);
    }
    return out;
  });
}

const anyOf = (u: Partial<Urls>) => URL_LISTS.some((name) => (u[name] ?? []).length > 0);

/** The mount's URLs with their templates filled for `issuerId` (Vault's ToURLEntries). */
export async function expandedUrls(storage: Storage, source: UrlsConfig, issuerId: string): Promise<Urls> {
  const pick: Urls = {
    issuing_certificates: source.issuing_certificates, crl_distribution_points: source.crl_distribution_points,
    delta_crl_distribution_points: source.delta_crl_distribution_points ?? [], ocsp_servers: source.ocsp_servers,
  };
  if (!source.enable_templating) return pick;
  const cluster = await clusterConfig(storage);
  const out = Object.fromEntries(URL_LISTS.map((name) => [name, expand(pick[name] ?? [], issuerId, cluster)])) as Urls;
  for (const name of URL_LISTS) {
    const bad = (out[name] ?? []).find((u) => !isAiaUrl(u));
    if (bad !== undefined) throw new BadRequest(`error validating templated ${name}; invalid URI: ${bad}`);
  }
  return out;
}

/** The URLs to put in certificates `issuer` signs (for a new root, its own id). */
export async function effectiveUrls(storage: Storage, issuer: IssuerEntry | undefined, issuerId: string): Promise<Urls> {
  const own = issuer && anyOf(issuer);
  const source: UrlsConfig = own
    ? { ...issuer, delta_crl_distribution_points: issuer.delta_crl_distribution_points ?? [], enable_templating: issuer.enable_aia_url_templating }
    : await urlsConfig(storage);
  return expandedUrls(storage, source, issuerId);
}

export const hasAnyUrl = (u: Urls) => anyOf(u);
