// ACME orders (RFC 8555 §7.4): new-order with dns and ip identifiers, authorizations and
// http-01 challenges, finalize, the certificate download, and revoke-cert.
import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { JWK } from 'jose';
import { BadRequest } from '../../../util/errors.js';
import { normalizeSerial } from '../certs.js';
import { checkNames } from '../issue.js';
import { rfc3339 } from '../validity.js';
import { x509 } from '../x509.js';
import { checkFinalizeCsr, issueForOrder } from '../acme/issue.js';
import type { Verified } from '../acme/jws.js';
import { AcmeProblem, malformed, notFound, unauthorized } from '../acme/problem.js';
import { authorizations, newId, orders, type Authorization, type Identifier, type Order } from '../acme/state.js';
import { enqueueValidation } from '../acme/validate.js';
import { json, jws, type Acme } from './acme-handler.js';
import { mountTtls } from './ca.js';
import { revokeAndRebuild } from './revocation.js';

const ORDER_LIFETIME_MS = 24 * 3600_000;

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
    status: o.status, expires: rfc3339(o.expires), identifiers: o.identifiers,
    authorizations: o.authorizations.map((id) => `${a.base}/authorization/${id}`),
    finalize: `${a.base}/order/${o.id}/finalize`,
    ...(o.certificate ? { certificate: `${a.base}/order/${o.id}/cert` } : {}),
  };
}

export async function newOrder(a: Acme) {
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
    // Vault's authorizations always say whether they are for a wildcard (never, here: those are refused).
    status: authz.status, expires: rfc3339(authz.expires), identifier: authz.identifier, wildcard: false,
    challenges: authz.challenges.map((c) => challengeView(a, authz, c)),
  };
}

async function ownAuthz(a: Acme, v: Verified, id: string): Promise<Authorization> {
  const authz = await authorizations.get(a.ctx.storage, id);
  if (!authz || authz.account !== v.account!.id) throw notFound('no such authorization');
  resume(a, v, authz);
  return authz;
}

export async function readAuthz(a: Acme) {
  const v = await jws(a, 'kid');
  return json(200, authzView(a, await ownAuthz(a, v, String(a.ctx.fields.authz_id))));
}

export async function challenge(a: Acme) {
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

export async function readOrder(a: Acme) {
  const v = await jws(a, 'kid');
  const order = await ownOrder(a, v, String(a.ctx.fields.order_id));
  return json(200, orderView(a, order), order.status === 'processing' || order.status === 'pending' ? { 'Retry-After': '1' } : {});
}

export async function listOrders(a: Acme) {
  const v = await jws(a, 'kid');
  if (v.account!.id !== a.ctx.fields.kid) throw unauthorized('the key does not belong to this account');
  const ids = await orders.ofAccount(a.ctx.storage, v.account!.id);
  return json(200, { orders: ids.map((id) => `${a.base}/order/${id}`) });
}

export async function finalize(a: Acme) {
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

export async function certificate(a: Acme) {
  const v = await jws(a, 'kid');
  const order = await ownOrder(a, v, String(a.ctx.fields.order_id));
  if (!order.certificate) throw notFound('the order has no certificate yet');
  return { raw: { status: 200, body: Buffer.from(order.certificate), contentType: 'application/pem-certificate-chain' } };
}

/** revoke-cert: by the account that ordered it, or by the certificate's own key. */
export async function revokeCert(a: Acme) {
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

