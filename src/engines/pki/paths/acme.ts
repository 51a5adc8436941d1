// The ACME server (RFC 8555) under acme/, issuer/:ref/acme/, roles/:role/acme/ and
// issuer/:ref/roles/:role/acme/. Token-free: every POST is a JWS checked in acme/jws.ts.
import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { JWK } from 'jose';
import { definePath, field, type HandlerContext } from '../../../core/path.js';
import type { PathDef } from '../../../core/path.js';
import type { RawReply } from '../../../core/request.js';
import { BadRequest } from '../../../util/errors.js';
import { checkNames } from '../issue.js';
import { findIssuer } from '../issuers.js';
import { verbatimRole, type Role } from '../role.js';
import { putJson } from '../store.js';
import { clusterConfig } from '../urls.js';
import { checkFinalizeCsr, issueForOrder } from '../acme/issue.js';
import { verifyJws, type Verified } from '../acme/jws.js';
import { AcmeProblem, malformed, notFound, unauthorized } from '../acme/problem.js';
import {
  accounts, acmeConfig, authorizations, newId, newNonce, orders,
  type Account, type AcmeConfig, type Authorization, type DirectoryRef, type Identifier, type Order,
} from '../acme/state.js';
import { enqueueValidation } from '../acme/validate.js';
import { consumeEab, createEab, deleteEab, listEabs } from '../acme/eab.js';
import { revokeAndRebuild } from './revocation.js';
import { mountTtls } from './ca.js';
import { defaultRole, getRole } from './roles.js';

import { normalizeSerial } from '../certs.js';
import { x509 } from '../x509.js';

const ORDER_LIFETIME_MS = 24 * 3600_000;

type Ctx = HandlerContext<Record<string, unknown>>;

/** What every ACME handler knows about its request. */
type Acme = {
  ctx: Ctx; config: AcmeConfig; base: string; url: string; dir: DirectoryRef; role: Role; verbatim: boolean; now: number;
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): { raw: RawReply } => ({
  raw: { status, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', headers },
});

/** The role a directory issues under: its own, the default policy's, or sign-verbatim's. */
async function directoryRole(ctx: Ctx, config: AcmeConfig, dir: DirectoryRef): Promise<{ role: Role; verbatim: boolean }> {
  const allowed = (list: string[], name: string) => list.includes('*') || list.includes(name);
  if (dir.issuer !== '' && !allowed(config.allowed_issuers, dir.issuer)) {
    const found = await findIssuer(ctx.storage, dir.issuer);
    if (!found || !(allowed(config.allowed_issuers, found.id) || allowed(config.allowed_issuers, found.name))) throw unauthorized(`issuer ${dir.issuer} is not allowed for ACME`);
  }
  let roleName = dir.role;
  if (roleName === '') {
    const policy = config.default_directory_policy;
    if (policy === 'forbid') throw unauthorized('the default directory is forbidden by policy; use a role directory');
    if (policy === 'sign-verbatim') return { role: verbatimRole(undefined, defaultRole()), verbatim: true };
    roleName = policy.slice('role:'.length);
  } else if (!allowed(config.allowed_roles, roleName)) {
    throw unauthorized(`role ${roleName} is not allowed for ACME`);
  }
  const role = await getRole(ctx, roleName);
  if (!role) throw unauthorized(`role ${roleName} does not exist`);
  if (role.no_store) throw unauthorized(`role ${roleName} has no_store set and cannot be used with ACME`);
  return { role, verbatim: false };
}

/** Runs an ACME handler: checks the feature is on, renders problems, adds the nonce headers. */
function acmeHandler(fn: (a: Acme) => Promise<{ raw: RawReply }>) {
  return async (ctx: Ctx) => {
    const config = await acmeConfig(ctx.storage);
    if (!config.enabled) return json(404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'ACME is disabled in configuration', status: 404 });
    const cluster = await clusterConfig(ctx.storage);
    if (cluster.path === '') throw new BadRequest("ACME feature requires local cluster 'path' field configuration to be set");
    const at = ctx.path.indexOf('acme/');
    const base = `${cluster.path.replace(/\/$/, '')}/${ctx.path.slice(0, at + 'acme'.length)}`;
    const dir = { issuer: String(ctx.fields.issuer_ref ?? ''), role: String(ctx.fields.role ?? '') };
    const now = ctx.clock.now();
    const common = { 'Replay-Nonce': newNonce(now), Link: `<${base}/directory>;rel="index"`, 'Cache-Control': 'no-store' };
    let reply: { raw: RawReply };
    try {
      const { role, verbatim } = await directoryRole(ctx, config, dir);
      reply = await fn({ ctx, config, base, url: `${cluster.path.replace(/\/$/, '')}/${ctx.path}`, dir, role, verbatim, now });
    } catch (err) {
      if (!(err instanceof AcmeProblem)) {
        if (err instanceof BadRequest) reply = problemReply(malformed(err.message));
        else throw err;
      } else {
        reply = problemReply(err);
      }
    }
    return { raw: { ...reply.raw, headers: { ...common, ...reply.raw.headers } } };
  };
}

function problemReply(p: AcmeProblem): { raw: RawReply } {
  return { raw: { status: p.problem.status, body: Buffer.from(JSON.stringify(p.problem)), contentType: 'application/problem+json' } };
}

/** Verifies the request JWS; under always-required, accounts made without EAB are refused. */
async function jws(a: Acme, mode: 'jwk' | 'kid' | 'either'): Promise<Verified> {
  const v = await verifyJws(a.ctx.storage, a.ctx.fields as never, a.url, `${a.base}/account/`, a.now, mode);
  if (v.account && a.config.eab_policy === 'always-required' && !v.account.eab) {
    throw new AcmeProblem('externalAccountRequired', 'this account was not created with an external account binding', 403);
  }
  return v;
}

/** The directory a request came through, as new-eab names it (`roles/web/acme/directory`). */
function directoryName(a: Acme): string {
  const path = a.ctx.path;
  return `${path.slice(0, path.indexOf('acme/') + 'acme'.length)}/directory`;
}

function accountView(a: Acme, account: Account) {
  return { status: account.status, contact: account.contact, orders: `${a.base}/account/${account.id}/orders` };
}

async function newAccount(a: Acme) {
  const v = await jws(a, 'jwk');
  const p = v.payload ?? {};
  const existing = await accounts.byThumbprint(a.ctx.storage, v.thumbprint);
  if (existing) return json(200, accountView(a, existing), { Location: `${a.base}/account/${existing.id}` });
  if (p.onlyReturnExisting === true) throw new AcmeProblem('accountDoesNotExist', 'no account exists for this key');
  let eab = '';
  if (p.externalAccountBinding !== undefined) {
    eab = await consumeEab(a.ctx.storage, p.externalAccountBinding, v.jwk, a.url, directoryName(a));
  } else if (a.config.eab_policy !== 'not-required') {
    throw new AcmeProblem('externalAccountRequired', 'this directory requires an external account binding', 403);
  }
  const contact = Array.isArray(p.contact) ? p.contact.map(String) : [];
  const account: Account = { id: newId(), jwk: v.jwk as Record<string, unknown>, thumbprint: v.thumbprint, status: 'valid', contact, created: a.now, eab };
  await accounts.put(a.ctx.storage, account);
  await accounts.link(a.ctx.storage, account);
  return json(201, accountView(a, account), { Location: `${a.base}/account/${account.id}` });
}

async function updateAccount(a: Acme) {
  const v = await jws(a, 'kid');
  const account = v.account!;
  if (account.id !== a.ctx.fields.kid) throw unauthorized('the key does not belong to this account');
  const p = v.payload ?? {};
  if (Array.isArray(p.contact)) account.contact = p.contact.map(String);
  if (p.status === 'deactivated') { account.status = 'deactivated'; account.revoked_at = a.now; }
  else if (p.status !== undefined) throw malformed('only "deactivated" may be set as an account status');
  await accounts.put(a.ctx.storage, account);
  return json(200, accountView(a, account), { Location: `${a.base}/account/${account.id}` });
}

/** Checks one identifier: its form, and that the directory's role would issue for it. */
function checkIdentifier(a: Acme, id: Identifier): void {
  if (id.type === 'ip') {
    if (isIP(id.value) === 0) throw new AcmeProblem('rejectedIdentifier', `invalid IP identifier: ${id.value}`);
  } else if (id.value.includes('*')) {
    throw new AcmeProblem('rejectedIdentifier', 'wildcard identifiers need dns-01, which this server does not offer');
  }
  if (a.verbatim) return;
  const sans = { dns: id.type === 'dns' ? [id.value] : [], ip: id.type === 'ip' ? [id.value] : [], uri: [], email: [] };
  try {
    checkNames({ ...a.role, require_cn: false }, { commonName: id.type === 'dns' ? id.value : '', sans, serialNumber: '', source: 'CSR' });
  } catch (err) {
    if (err instanceof BadRequest) throw new AcmeProblem('rejectedIdentifier', err.message);
    throw err;
  }
}

function orderView(a: Acme, o: Order) {
  return {
    status: o.status, expires: new Date(o.expires).toISOString(), identifiers: o.identifiers,
    authorizations: o.authorizations.map((id) => `${a.base}/authorization/${id}`),
    finalize: `${a.base}/order/${o.id}/finalize`,
    ...(o.certificate ? { certificate: `${a.base}/order/${o.id}/cert` } : {}),
  };
}

async function newOrder(a: Acme) {
  const v = await jws(a, 'kid');
  const p = v.payload ?? {};
  if (!Array.isArray(p.identifiers) || p.identifiers.length === 0) throw malformed('an order needs identifiers');
  const identifiers = p.identifiers.map((raw): Identifier => {
    const i = raw as { type?: unknown; value?: unknown };
    if ((i.type !== 'dns' && i.type !== 'ip') || typeof i.value !== 'string') throw new AcmeProblem('unsupportedIdentifier', 'identifiers must be of type dns or ip');
    return { type: i.type, value: i.value.toLowerCase() };
  });
  for (const id of identifiers) checkIdentifier(a, id);
  const order: Order = {
    id: newId(), account: v.account!.id, status: 'pending', identifiers, authorizations: [], expires: a.now + ORDER_LIFETIME_MS, directory: a.dir,
  };
  for (const identifier of identifiers) {
    const authz: Authorization = {
      id: newId(), account: order.account, order: order.id, identifier, status: 'pending', expires: order.expires,
      challenges: [{ type: 'http-01', token: newId() + newId(), status: 'pending', attempts: 0 }],
    };
    await authorizations.put(a.ctx.storage, authz);
    order.authorizations.push(authz.id);
  }
  await orders.put(a.ctx.storage, order);
  await orders.link(a.ctx.storage, order);
  return json(201, orderView(a, order), { Location: `${a.base}/order/${order.id}` });
}

/** An order of the calling account; resumes validations a restart interrupted. */
async function ownOrder(a: Acme, v: Verified, id: string): Promise<Order> {
  const order = await orders.get(a.ctx.storage, id);
  if (!order || order.account !== v.account!.id) throw notFound('no such order');
  if (order.status === 'pending') {
    for (const authzId of order.authorizations) resume(a, v, (await authorizations.get(a.ctx.storage, authzId))!);
  }
  return (await orders.get(a.ctx.storage, id))!;
}

/** A poll of a processing challenge requeues it at once rather than at the next periodic run. */
function resume(a: Acme, v: Verified, authz: Authorization): void {
  if (authz.challenges[0]?.status === 'processing') void enqueueValidation(a.ctx.storage, authz.id, v.account!.thumbprint, () => a.ctx.clock.now()).catch(() => undefined);
}

function challengeView(a: Acme, authz: Authorization, c: Authorization['challenges'][number]) {
  return {
    type: c.type, url: `${a.base}/challenge/${authz.id}/${c.type}`, token: c.token, status: c.status,
    ...(c.validated ? { validated: c.validated } : {}), ...(c.error ? { error: c.error } : {}),
  };
}

function authzView(a: Acme, authz: Authorization) {
  return {
    status: authz.status, expires: new Date(authz.expires).toISOString(), identifier: authz.identifier,
    challenges: authz.challenges.map((c) => challengeView(a, authz, c)),
  };
}

async function ownAuthz(a: Acme, v: Verified, id: string): Promise<Authorization> {
  const authz = await authorizations.get(a.ctx.storage, id);
  if (!authz || authz.account !== v.account!.id) throw notFound('no such authorization');
  resume(a, v, authz);
  return authz;
}

async function readAuthz(a: Acme) {
  const v = await jws(a, 'kid');
  return json(200, authzView(a, await ownAuthz(a, v, String(a.ctx.fields.authz_id))));
}

async function challenge(a: Acme) {
  const v = await jws(a, 'kid');
  const authz = await ownAuthz(a, v, String(a.ctx.fields.authz_id));
  const c = authz.challenges.find((x) => x.type === a.ctx.fields.challenge_type);
  if (!c) throw notFound('no such challenge');
  // A payload (even {}) asks the server to validate; POST-as-GET only reads.
  if (v.payload !== undefined && c.status === 'pending') {
    c.status = 'processing';
    await authorizations.put(a.ctx.storage, authz);
    await enqueueValidation(a.ctx.storage, authz.id, v.account!.thumbprint, () => a.ctx.clock.now());
  }
  const up = `<${a.base}/authorization/${authz.id}>;rel="up"`;
  return json(200, challengeView(a, authz, c), { Link: up, ...(c.status === 'processing' ? { 'Retry-After': '1' } : {}) });
}

async function readOrder(a: Acme) {
  const v = await jws(a, 'kid');
  const order = await ownOrder(a, v, String(a.ctx.fields.order_id));
  return json(200, orderView(a, order), order.status === 'processing' || order.status === 'pending' ? { 'Retry-After': '1' } : {});
}

async function listOrders(a: Acme) {
  const v = await jws(a, 'kid');
  if (v.account!.id !== a.ctx.fields.kid) throw unauthorized('the key does not belong to this account');
  const ids = await orders.ofAccount(a.ctx.storage, v.account!.id);
  return json(200, { orders: ids.map((id) => `${a.base}/order/${id}`) });
}

async function finalize(a: Acme) {
  const v = await jws(a, 'kid');
  const order = await ownOrder(a, v, String(a.ctx.fields.order_id));
  if (order.status !== 'ready') throw new AcmeProblem('orderNotReady', `order is ${order.status}, not ready`, 403);
  const csrB64 = v.payload?.csr;
  if (typeof csrB64 !== 'string') throw malformed('finalize needs a csr');
  const csr = await checkFinalizeCsr(order, csrB64, v.account!.jwk as JWK);
  const issued = await issueForOrder(a.ctx.storage, order, csr, a.role, a.config, { now: a.now, mountTtls: mountTtls(a.ctx), verbatim: a.verbatim });
  order.status = 'valid';
  order.serial = issued.serial;
  order.certificate = issued.chain;
  order.cert_expiry = issued.notAfter * 1000;
  await orders.put(a.ctx.storage, order);
  return json(200, orderView(a, order), { Location: `${a.base}/order/${order.id}` });
}

async function certificate(a: Acme) {
  const v = await jws(a, 'kid');
  const order = await ownOrder(a, v, String(a.ctx.fields.order_id));
  if (!order.certificate) throw notFound('the order has no certificate yet');
  return { raw: { status: 200, body: Buffer.from(order.certificate), contentType: 'application/pem-certificate-chain' } };
}

/** revoke-cert: by the account that ordered it, or by the certificate's own key. */
async function revokeCert(a: Acme) {
  const v = await jws(a, 'either');
  const der = v.payload?.certificate;
  if (typeof der !== 'string') throw malformed('revoke-cert needs a certificate');
  let cert: x509.X509Certificate;
  try { cert = new x509.X509Certificate(new Uint8Array(Buffer.from(der, 'base64url'))); } catch { throw malformed('the certificate could not be parsed'); }
  const serial = normalizeSerial(cert.serialNumber);
  if (v.account) {
    const ids = await orders.ofAccount(a.ctx.storage, v.account.id);
    const owned = await Promise.all(ids.map((id) => orders.get(a.ctx.storage, id)));
    if (!owned.some((o) => o?.serial && normalizeSerial(o.serial) === serial)) throw unauthorized('this account did not order that certificate');
  } else {
    const jwkSpki = createPublicKey({ key: v.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    if (!Buffer.from(cert.publicKey.rawData).equals(jwkSpki)) throw unauthorized('the JWS key is not the certificate key');
  }
  const result = await revokeAndRebuild(a.ctx, serial);
  if (result.warnings.length > 0) throw new AcmeProblem('alreadyRevoked', result.warnings[0]!);
  return { raw: { status: 200, body: undefined } };
}

async function directory(a: Acme) {
  return json(200, {
    newNonce: `${a.base}/new-nonce`, newAccount: `${a.base}/new-account`, newOrder: `${a.base}/new-order`,
    revokeCert: `${a.base}/revoke-cert`, keyChange: `${a.base}/key-change`,
    meta: { externalAccountRequired: a.config.eab_policy !== 'not-required' },
  });
}

async function nonce(a: Acme) {
  // HEAD answers 200, GET 204 (RFC 8555 §7.2); the wrapper adds Replay-Nonce.
  return { raw: { status: a.ctx.request.method === 'HEAD' ? 200 : 204, body: undefined } };
}

async function keyChange(a: Acme): Promise<{ raw: RawReply }> {
  await jws(a, 'kid');
  throw malformed('key change is not supported by this server');
}

const jwsFields = {
  protected: field.string({ description: 'JWS protected header.' }),
  payload: field.string({ description: 'JWS payload.' }),
  signature: field.string({ description: 'JWS signature.' }),
};

type Prefix = { pattern: string; params: Record<string, ReturnType<typeof field.name>> };

const PREFIXES: Prefix[] = [
  { pattern: 'acme', params: {} },
  { pattern: 'issuer/:issuer_ref/acme', params: { issuer_ref: field.name({ description: 'The issuer.' }) } },
  { pattern: 'roles/:role/acme', params: { role: field.name({ description: 'The role.' }) } },
  { pattern: 'issuer/:issuer_ref/roles/:role/acme', params: { issuer_ref: field.name({ description: 'The issuer.' }), role: field.name({ description: 'The role.' }) } },
];

function pathsUnder(prefix: Prefix): PathDef[] {
  const p = (suffix: string, extra: Record<string, ReturnType<typeof field.name>>, ops: { read?: (a: Acme) => Promise<{ raw: RawReply }>; update?: (a: Acme) => Promise<{ raw: RawReply }> }) => definePath({
    pattern: `${prefix.pattern}/${suffix}`, fields: { ...prefix.params, ...extra, ...jwsFields }, summary: `ACME ${suffix}.`, unauthenticated: true,
    operations: {
      ...(ops.read ? { read: acmeHandler(ops.read) } : {}),
      ...(ops.update ? { update: acmeHandler(ops.update) } : {}),
    },
  });
  const id = (name: string) => ({ [name]: field.name({ description: name }) });
  return [
    p('directory', {}, { read: directory }),
    p('new-nonce', {}, { read: nonce }),
    p('new-account', {}, { update: newAccount }),
    p('account/:kid', id('kid'), { update: updateAccount }),
    p('account/:kid/orders', id('kid'), { update: listOrders }),
    p('new-order', {}, { update: newOrder }),
    p('order/:order_id', id('order_id'), { update: readOrder }),
    p('order/:order_id/finalize', id('order_id'), { update: finalize }),
    p('order/:order_id/cert', id('order_id'), { update: certificate }),
    p('authorization/:authz_id', id('authz_id'), { update: readAuthz }),
    p('challenge/:authz_id/:challenge_type', { ...id('authz_id'), ...id('challenge_type') }, { update: challenge }),
    p('revoke-cert', {}, { update: revokeCert }),
    p('key-change', {}, { update: keyChange }),
  ];
}

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

export const acmePaths: PathDef[] = [
  ...PREFIXES.flatMap(pathsUnder),
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
