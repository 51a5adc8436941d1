// config/urls and config/cluster: where certificates point for issuers, CRLs and OCSP.
import { definePath, field } from '../../../core/path.js';
import { allIssuers } from '../issuers.js';
import { putJson } from '../store.js';
import { checkAiaUrls, checkUrls, clusterConfig, expandedUrls, URL_LISTS, urlsConfig } from '../urls.js';

const urlFields = {
  issuing_certificates: field.strings({ description: 'URLs of the issuing certificate (AIA).' }),
  crl_distribution_points: field.strings({ description: 'URLs of the CRL.' }),
  delta_crl_distribution_points: field.strings({ description: 'URLs of the delta CRL (Freshest CRL).' }),
  ocsp_servers: field.strings({ description: 'URLs of the OCSP responder.' }),
  enable_templating: field.bool({ description: 'Allow {{issuer_id}}, {{cluster_path}} and {{cluster_aia_path}}.', default: false }),
};

export const configPaths = [
  definePath({
    pattern: 'config/urls', fields: urlFields, summary: 'The AIA and CRL URLs put in certificates.',
    operations: {
      read: async (ctx) => ({ data: await urlsConfig(ctx.storage) }),
      // Vault's order: take what was sent, then check every list (without templating) or try
      // the templates on the first issuer (with it: a failure is only a warning), then store.
      update: async (ctx) => {
        const next = { ...(await urlsConfig(ctx.storage)) };
        if (ctx.sent.has('enable_templating')) next.enable_templating = ctx.fields.enable_templating;
        for (const name of URL_LISTS) if (ctx.sent.has(name)) next[name] = ctx.fields[name];
        const warnings: string[] = [];
        if (!next.enable_templating) checkAiaUrls(next);
        else {
          const [first] = await allIssuers(ctx.storage);
          if (first) {
            await expandedUrls(ctx.storage, next, first.id).catch((err: Error) => {
              warnings.push(`issuance may fail: ${err.message}\n\nConsider setting the cluster-local address if it is not already set.`);
            });
          }
        }
        await putJson(ctx.storage, 'config/urls', next);
        return { data: next, warnings };
      },
    },
  }),
  definePath({
    pattern: 'config/cluster', summary: "This cluster's path to the mount, for templated URLs and ACME.",
    fields: { path: field.string({ description: 'e.g. https://vault.example.com/v1/pki' }), aia_path: field.string({ description: 'A path for AIA URLs.' }) },
    operations: {
      read: async (ctx) => ({ data: await clusterConfig(ctx.storage) }),
      update: async (ctx) => {
        const next = { ...(await clusterConfig(ctx.storage)) };
        if (ctx.sent.has('path')) { checkUrls([ctx.fields.path], 'path'); next.path = ctx.fields.path; }
        if (ctx.sent.has('aia_path')) { checkUrls([ctx.fields.aia_path], 'aia_path'); next.aia_path = ctx.fields.aia_path; }
        await putJson(ctx.storage, 'config/cluster', next);
        return { data: next };
      },
    },
  }),
];
