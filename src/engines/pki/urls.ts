// AIA and CRL distribution URLs: the mount's config/urls, overridden per issuer, with Vault's
// templating ({{issuer_id}}, {{cluster_path}}, {{cluster_aia_path}}) when enabled.
import type { Storage } from '../../storage/storage.js';
import { BadRequest } from '../../util/errors.js';
import type { Urls } from './certs.js';
import { getJson, type IssuerEntry, type UrlsConfig } from './store.js';

export const EMPTY_URLS: UrlsConfig = { issuing_certificates: [], crl_distribution_points: [], ocsp_servers: [], enable_templating: false };

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

/** The URLs to put in certificates `issuer` signs (for a new root, its own id). */
export async function effectiveUrls(storage: Storage, issuer: IssuerEntry | undefined, issuerId: string): Promise<Urls> {
  const own = issuer && (issuer.issuing_certificates.length + issuer.crl_distribution_points.length + issuer.ocsp_servers.length > 0);
  const source = own
    ? { ...issuer, enable_templating: issuer.enable_aia_url_templating }
    : await urlsConfig(storage);
  const pick = { issuing_certificates: source.issuing_certificates, crl_distribution_points: source.crl_distribution_points, ocsp_servers: source.ocsp_servers };
  if (!source.enable_templating) return pick;
  const cluster = await clusterConfig(storage);
  return {
    issuing_certificates: expand(pick.issuing_certificates, issuerId, cluster),
    crl_distribution_points: expand(pick.crl_distribution_points, issuerId, cluster),
    ocsp_servers: expand(pick.ocsp_servers, issuerId, cluster),
  };
}

export const hasAnyUrl = (u: Urls) => u.issuing_certificates.length + u.crl_distribution_points.length + u.ocsp_servers.length > 0;
