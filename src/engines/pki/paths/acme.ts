// The ACME server (RFC 8555) under acme/, issuer/:ref/acme/, roles/:role/acme/ and
// issuer/:ref/roles/:role/acme/. Token-free: every POST is a JWS checked in acme/jws.ts.
// This file holds the directory, nonces and accounts, and the route table.
import { definePath, field, type PathDef } from '../../../core/path.js';
import type { RawReply } from '../../../core/request.js';
import { AcmeProblem, malformed, unauthorized } from '../acme/problem.js';
import { accounts, newId, type Account } from '../acme/state.js';
import { consumeEab } from '../acme/eab.js';
import { acmeConfigPaths } from './acme-config.js';
import { acmeHandler, directoryName, json, jws, PREFIXES, type Acme, type Prefix } from './acme-handler.js';
import { certificate, challenge, finalize, listOrders, newOrder, readAuthz, readOrder, revokeCert } from './acme-orders.js';

/**
 * Vault's account object: status and orders, `contact` only when there is one; the answer that
 * creates an EAB-bound account echoes the binding the request sent (no other answer does).
 */
function accountView(a: Acme, account: Account, binding?: unknown) {
  return {
    status: account.status, orders: `${a.base}/account/${account.id}/orders`,
    ...(account.contact.length > 0 ? { contact: account.contact } : {}),
    ...(account.eab && isBinding(binding) ? { externalAccountBinding: binding } : {}),
  };
}

const isBinding = (b: unknown): b is Record<string, unknown> => b !== null && typeof b === 'object' && Object.keys(b).length > 0;

async function newAccount(a: Acme) {
  const v = await jws(a, 'jwk');
  const p = v.payload ?? {};
  const existing = await accounts.byThumbprint(a.ctx.storage, v.thumbprint);
  // An existing account's answer never echoes a binding; only a newly created one's does.
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
  return json(201, accountView(a, account, p.externalAccountBinding), { Location: `${a.base}/account/${account.id}` });
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

const jwsFields = {
  protected: field.string({ description: 'JWS protected header.' }),
  payload: field.string({ description: 'JWS payload.' }),
  signature: field.string({ description: 'JWS signature.' }),
};

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
    // No key-change path, as in Vault CE: its directory names keyChange, but no handler is
    // registered, so a POST there is the router's 404 "unsupported path".
  ];
}

export const acmePaths: PathDef[] = [...PREFIXES.flatMap(pathsUnder), ...acmeConfigPaths];
