// The Kubernetes auth method: a pod logs in with its service-account JWT. The role's bindings
// are checked on the JWT's claims first, then the Kubernetes API's TokenReview confirms the
// token is live and belongs to that account.
import { globMatch } from '../../util/glob.js';
import { renewalOf } from '../../core/tokens/params.js';
import { BadRequest, PermissionDenied } from '../../util/errors.js';
import { defineBackend, type LoginContext } from '../../core/backend.js';
import { definePath, field, type HandlerContext } from '../../core/path.js';
import type { LoginGrant } from '../../core/request.js';
import { cidrsAllow } from '../../core/tokens/cidr-rules.js';
import { configPath, loadConfig, type EffectiveConfig } from './config.js';
import { ServerError } from './errors.js';
import { KubeUnreachable, type KubeTarget } from './kube-api.js';
import { accountAnnotations, namespaceLabels, ReviewFailure, reviewToken } from './review.js';
import { getRole, rolePaths, type KubeRole } from './roles.js';
import { parseSelector, selects } from './selector.js';
import { checkClaims, ClaimsFailure, DEFAULT_ISSUER, readClaims, serviceAccountOf, SignatureFailure, type ServiceAccount } from './token.js';

const ANNOTATION_PREFIX = 'vault.hashicorp.com/alias-metadata-';
const RESERVED_KEYS = ['service_account_uid', 'service_account_name', 'service_account_namespace', 'service_account_secret_name'];

const loginFields = {
  role: field.string({ description: 'The role to log in with.' }),
  jwt: field.string({ description: 'The service account JWT.', sensitive: true }),
};
type Ctx = HandlerContext<{ role: string; jwt: string }>;

const anyGlob = (patterns: string[], value: string) => patterns.some((p) => globMatch(p, value));

/** Refusals whose reason only the debug log hears. */
function unauthorized(ctx: Ctx, reason: string): PermissionDenied {
  ctx.log?.debug('login unauthorized', { mount: ctx.mount.path, reason });
  return new PermissionDenied();
}

/** Step 3: names, then namespaces (the list, else the selector against the namespace's labels). */
async function checkBindings(role: KubeRole, sa: ServiceAccount, target: KubeTarget, config: EffectiveConfig): Promise<void> {
  const names = role.bound_service_account_names;
  if (!(names.length === 1 && names[0] === '*') && !anyGlob(names, sa.name)) throw new ClaimsFailure('service account name not authorized');
  const namespaces = role.bound_service_account_namespaces;
  if (namespaces.length > 0 && (namespaces[0] === '*' || anyGlob(namespaces, sa.namespace))) return;
  let problem = '';
  if (role.bound_service_account_namespace_selector !== '') {
    try {
      const labels = await namespaceLabels(target, config.reviewerJwt, sa.namespace);
      if (selects(parseSelector(role.bound_service_account_namespace_selector), labels)) return;
    } catch (err) {
      if (!(err instanceof ReviewFailure || err instanceof KubeUnreachable)) throw err;
      problem = ` err=${err.message}`;
    }
  }
  throw new ClaimsFailure(`namespace not authorized${problem}`);
}

function aliasNameOf(role: KubeRole, sa: ServiceAccount): string {
  if (role.alias_name_source === 'serviceaccount_name') {
    if (sa.namespace === '' || sa.name === '') throw new ServerError('service account namespace and name must be set');
    return `${sa.namespace}/${sa.name}`;
  }
  if (sa.uid === '') throw new ServerError('could not parse UID from claims');
  return sa.uid;
}

/** The account's `vault.hashicorp.com/alias-metadata-<key>` annotations by key; reserved keys are refused. */
async function annotationMetadata(target: KubeTarget, bearer: string, sa: ServiceAccount): Promise<Record<string, string>> {
  let annotations: Record<string, string>;
  try {
    annotations = await accountAnnotations(target, bearer, sa.namespace, sa.name);
  } catch (err) {
    if (err instanceof ReviewFailure || err instanceof KubeUnreachable) throw new ServerError(err.message);
    throw err;
  }
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [k, value] of Object.entries(annotations)) {
    if (!k.startsWith(ANNOTATION_PREFIX)) continue;
    const key = k.slice(ANNOTATION_PREFIX.length);
    if (RESERVED_KEYS.includes(key)) reserved.push(key);
    else out[key] = value;
  }
  if (reserved.length > 0) {
    throw new BadRequest(`entity alias metadata keys for only internal use found from the client token's associated service account annotations: keys=[${reserved.map((k) => JSON.stringify(k)).join(' ')}]`);
  }
  return out;
}

async function login(ctx: Ctx): Promise<{ login: LoginGrant }> {
  const { role: roleName, jwt } = ctx.fields;
  if (roleName === '') throw new BadRequest('missing role');
  if (jwt === '') throw new BadRequest('missing jwt');
  const role = await getRole(ctx.storage, roleName);
  if (!role) throw new BadRequest(`invalid role name ${JSON.stringify(roleName)}`);
  if (!cidrsAllow(role.token.token_bound_cidrs, ctx.request.remoteAddress)) throw new PermissionDenied();
  const config = await loadConfig(ctx.storage, ctx.clock.now());
  if (!config) throw new ServerError('could not load backend configuration');
  if (config.localTokenProblem) ctx.log?.debug('failed to read local service account token, will use client token', { reason: config.localTokenProblem });
  const target: KubeTarget = { host: config.kubernetes_host, caPem: config.caPem };
  let sa: ServiceAccount;
  try {
    // Steps 1–3: the claims, their signature and standard checks, then the role's bindings.
    const claims = await readClaims(jwt, config.pem_keys);
    const issuer = config.disable_iss_validation ? undefined : config.issuer || DEFAULT_ISSUER;
    checkClaims(claims, { issuer, audience: role.audience }, ctx.clock.now());
    sa = serviceAccountOf(claims);
    await checkBindings(role, sa, target, config);
  } catch (err) {
    if (err instanceof SignatureFailure) throw unauthorized(ctx, `error verifying token signature: ${err.message}`);
    if (err instanceof ClaimsFailure) throw new PermissionDenied(err.message);
    throw err;
  }
  const alias = aliasNameOf(role, sa);
  // Steps 4–5: the API must know the token, for this account.
  try {
    await reviewToken(target, config.reviewerJwt, jwt, role.audience !== '' ? [role.audience] : sa.audiences, sa);
  } catch (err) {
    if (err instanceof ReviewFailure || err instanceof KubeUnreachable) throw unauthorized(ctx, err.message);
    throw err;
  }
  const annotations = config.use_annotations_as_alias_metadata ? await annotationMetadata(target, config.reviewerJwt || jwt, sa) : {};
  const accountMetadata = {
    service_account_uid: sa.uid, service_account_name: sa.name,
    service_account_namespace: sa.namespace, service_account_secret_name: sa.secretName,
  };
  return {
    login: {
      params: role.token,
      metadata: { ...accountMetadata, role: roleName },
      aliasMetadata: { ...annotations, ...accountMetadata },
      displayName: `${sa.namespace}-${sa.name}`,
      alias,
      internal: { role: roleName },
    },
  };
}

const loginPath = definePath({
  pattern: 'login', summary: 'Log in with a Kubernetes service account JWT.', unauthenticated: true,
  fields: loginFields, operations: { update: login },
});

/** Vault re-checks only that the role still exists, and applies its current TTLs. */
async function renewLogin(ctx: LoginContext): Promise<{ ttl: number; maxTtl: number; period: number }> {
  const name = String(ctx.internal.role ?? '');
  const role = name === '' ? undefined : await getRole(ctx.storage, name);
  if (!role) throw new BadRequest(`role ${name} does not exist during renewal`);
  return renewalOf(role.token);
}

export const kubernetesBackend = defineBackend({
  type: 'kubernetes',
  summary: 'The Kubernetes auth method: log in with a service account JWT confirmed by the TokenReview API.',
  paths: [configPath, ...rolePaths(), loginPath],
  renewLogin,
});
