// The plumbing every ACME path shares: the feature and cluster checks, the directory's role,
// problem documents, nonce and index headers, and JWS verification.
import { field, type HandlerContext } from '../../../core/path.js';
import type { RawReply } from '../../../core/request.js';
import { BadRequest } from '../../../util/errors.js';
import { findIssuer } from '../issuers.js';
import { verbatimRole, type Role } from '../role.js';
import { clusterConfig } from '../urls.js';
import { verifyJws, type Verified } from '../acme/jws.js';
import { AcmeProblem, malformed, unauthorized } from '../acme/problem.js';
import { acmeConfig, newNonce, type AcmeConfig, type DirectoryRef } from '../acme/state.js';
import { defaultRole, getRole } from './roles.js';

export type Ctx = HandlerContext<Record<string, unknown>>;

/** What every ACME handler knows about its request. */
export type Acme = {
  ctx: Ctx; config: AcmeConfig; base: string; url: string; dir: DirectoryRef; role: Role; verbatim: boolean; now: number;
};

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): { raw: RawReply } => ({
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
export function acmeHandler(fn: (a: Acme) => Promise<{ raw: RawReply }>) {
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
export async function jws(a: Acme, mode: 'jwk' | 'kid' | 'either'): Promise<Verified> {
  const v = await verifyJws(a.ctx.storage, a.ctx.fields as never, a.url, `${a.base}/account/`, a.now, mode);
  if (v.account && a.config.eab_policy === 'always-required' && !v.account.eab) {
    throw new AcmeProblem('externalAccountRequired', 'this account was not created with an external account binding', 403);
  }
  return v;
}

/** The directory a request came through, as new-eab names it (`roles/web/acme/directory`). */
export function directoryName(a: Acme): string {
  const path = a.ctx.path;
  return `${path.slice(0, path.indexOf('acme/') + 'acme'.length)}/directory`;
}

/** The four places a directory lives, and the parameters each adds. */
export type Prefix = { pattern: string; params: Record<string, ReturnType<typeof field.name>> };

export const PREFIXES: Prefix[] = [
  { pattern: 'acme', params: {} },
  { pattern: 'issuer/:issuer_ref/acme', params: { issuer_ref: field.name({ description: 'The issuer.' }) } },
  { pattern: 'roles/:role/acme', params: { role: field.name({ description: 'The role.' }) } },
  { pattern: 'issuer/:issuer_ref/roles/:role/acme', params: { issuer_ref: field.name({ description: 'The issuer.' }), role: field.name({ description: 'The role.' }) } },
];

