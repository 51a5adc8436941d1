// ACME's token-authenticated settings: config/acme and the external account binding keys
// (new-eab under each directory, the eab LIST, eab/:key_id DELETE).
import { definePath, field, type PathDef } from '../../../core/path.js';
import { BadRequest } from '../../../util/errors.js';
import { putJson } from '../store.js';
import { clusterConfig } from '../urls.js';
import { acmeConfig, type AcmeConfig } from '../acme/state.js';
import { createEab, deleteEab, listEabs } from '../acme/eab.js';
import { PREFIXES } from './acme-handler.js';

const POLICY = /^(sign-verbatim|forbid|role:.+)$/;
const EAB_POLICIES = new Set(['not-required', 'new-account-required', 'always-required']);

const configFields = {
  enabled: field.bool({ description: 'Serve the ACME directories.', default: false }),
  allowed_issuers: field.strings({ description: 'Issuers ACME may use.', default: ['*'] }),
  allowed_roles: field.strings({ description: 'Roles ACME may use.', default: ['*'] }),
  allow_role_ext_key_usage: field.bool({ description: 'Use the role EKUs instead of serverAuth only.', default: false }),
  default_directory_policy: field.string({ description: 'sign-verbatim, forbid or role:<name>.', default: 'sign-verbatim' }),
  eab_policy: field.string({ description: 'not-required, new-account-required or always-required.', default: 'not-required' }),
  dns_resolver: field.string({ description: 'DNS resolver for dns-01 (not offered).' }),
};

/** acme/new-eab under each directory prefix: token-authenticated, answers the new key. */
const eabPaths = PREFIXES.map((prefix) => definePath({
  pattern: `${prefix.pattern}/new-eab`, fields: prefix.params, summary: 'Create an external account binding key.',
  operations: {
    update: async (ctx) => {
      const eab = await createEab(ctx.storage, `${ctx.path.slice(0, -'new-eab'.length)}directory`, ctx.clock.now());
      return { data: { id: eab.id, key_type: eab.key_type, key: eab.key, acme_directory: eab.acme_directory, created_on: eab.created_on } };
    },
  },
}));

export const acmeConfigPaths: PathDef[] = [
  ...eabPaths,
  definePath({
    pattern: 'eab/', fields: {}, summary: 'List unused external account binding keys.',
    operations: {
      list: async (ctx) => {
        const eabs = await listEabs(ctx.storage);
        return { data: { keys: eabs.map((e) => e.id), key_info: Object.fromEntries(eabs.map((e) => [e.id, { key_type: e.key_type, acme_directory: e.acme_directory, created_on: e.created_on }])) } };
      },
    },
  }),
  definePath({
    pattern: 'eab/:key_id', fields: { key_id: field.name({ description: 'The EAB id.' }) }, summary: 'Delete an external account binding key.',
    operations: { delete: async (ctx) => { await deleteEab(ctx.storage, ctx.fields.key_id); } },
  }),
  definePath({
    pattern: 'config/acme', fields: configFields, summary: 'ACME settings.',
    operations: {
      read: async (ctx) => ({ data: { ...(await acmeConfig(ctx.storage)) } }),
      update: async (ctx) => {
        const next: AcmeConfig = { ...(await acmeConfig(ctx.storage)) };
        for (const name of Object.keys(configFields) as Array<keyof AcmeConfig>) {
          if (ctx.sent.has(name)) (next as Record<string, unknown>)[name] = ctx.fields[name];
        }
        if (!POLICY.test(next.default_directory_policy)) throw new BadRequest(`invalid default_directory_policy: ${next.default_directory_policy}`);
        if (!EAB_POLICIES.has(next.eab_policy)) throw new BadRequest(`invalid eab_policy: ${next.eab_policy}`);
        if (next.dns_resolver !== '') throw new BadRequest('dns_resolver: dns-01 challenges are not offered by this server');
        if (next.enabled && (await clusterConfig(ctx.storage)).path === '') throw new BadRequest("ACME feature requires local cluster 'path' field configuration to be set");
        await putJson(ctx.storage, 'config/acme', next);
        return { data: { ...next } };
      },
    },
  }),
];
