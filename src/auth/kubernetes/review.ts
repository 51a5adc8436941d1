// What the Kubernetes API is asked at login: the TokenReview (is this token live, and whose is
// it?), a namespace's labels for selectors, and a service account's alias-metadata annotations.
// Every failure is a `ReviewFailure` whose message is Vault's reason text.
import { kubeRequest, statusMessage, type KubeTarget } from './kube-api.js';
import type { ServiceAccount } from './token.js';

export class ReviewFailure extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const seg = encodeURIComponent;

/** Go's %v of a string list, as Vault's texts show audiences. */
const goList = (list: string[]) => `[${list.join(' ')}]`;

/**
 * POST tokenreviews with `bearer` (the reviewer JWT, else the login JWT) and checks the answer
 * against the JWT's account: authenticated, audiences overlapping `audiences`, a
 * system:serviceaccount user with the same namespace, name and uid.
 */
export async function reviewToken(target: KubeTarget, bearer: string, jwt: string, audiences: string[], sa: ServiceAccount): Promise<void> {
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: jwt, audiences } };
  const res = await kubeRequest(target, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', bearer || jwt, review);
  if (res.status === 401) throw new ReviewFailure('lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token');
  if (res.status < 200 || res.status > 206) throw new ReviewFailure(`lookup failed: the server answered ${res.status} (${statusMessage(res.body)})`);
  const body = res.body;
  if (isObject(body) && body.kind === 'Status' && body.status !== 'Success') throw new ReviewFailure(`lookup failed: ${statusMessage(body)}`);
  const status = isObject(body) && isObject(body.status) ? body.status : {};
  if (typeof status.error === 'string' && status.error !== '') throw new ReviewFailure(`lookup failed: ${status.error}`);
  if (status.authenticated !== true) throw new ReviewFailure('lookup failed: service account jwt not valid');
  const granted = Array.isArray(status.audiences) ? status.audiences.filter((a): a is string => typeof a === 'string') : [];
  if (audiences.length > 0 && !audiences.some((a) => granted.includes(a))) {
    throw new ReviewFailure(`lookup failed: service account jwt valid for audience(s) ${goList(granted)}, but wanted ${goList(audiences)}`);
  }
  const user = isObject(status.user) ? status.user : {};
  const parts = typeof user.username === 'string' ? user.username.split(':') : [];
  if (parts.length !== 4) throw new ReviewFailure('lookup failed: unexpected username format');
  if (parts[0] !== 'system' || parts[1] !== 'serviceaccount') throw new ReviewFailure('lookup failed: username returned is not a service account');
  if (parts[3] !== sa.name) throw new ReviewFailure('JWT names did not match');
  if ((typeof user.uid === 'string' ? user.uid : '') !== sa.uid) throw new ReviewFailure('JWT UIDs did not match');
  if (parts[2] !== sa.namespace) throw new ReviewFailure('JWT namepaces did not match');
}

/** GET /api/v1/namespaces/<ns>: its labels. Only the reviewer JWT may ask (Vault's rule). */
export async function namespaceLabels(target: KubeTarget, reviewerJwt: string, namespace: string): Promise<Record<string, string>> {
  if (reviewerJwt === '') throw new ReviewFailure('namespace lookup failed: TokenReviewer JWT needs to be configured to use namespace selectors');
  const res = await kubeRequest(target, 'GET', `/api/v1/namespaces/${seg(namespace)}`, reviewerJwt);
  if (res.status !== 200) throw new ReviewFailure(`failed to get namespace (code ${res.status} status ${statusMessage(res.body)})`);
  const metadata = isObject(res.body) && isObject(res.body.metadata) ? res.body.metadata : {};
  return stringsOf(metadata.labels);
}

/** GET /api/v1/namespaces/<ns>/serviceaccounts/<name>: its annotations. */
export async function accountAnnotations(target: KubeTarget, bearer: string, namespace: string, name: string): Promise<Record<string, string>> {
  const res = await kubeRequest(target, 'GET', `/api/v1/namespaces/${seg(namespace)}/serviceaccounts/${seg(name)}`, bearer);
  if (res.status !== 200) throw new ReviewFailure(`failed to get service account (code ${res.status} status ${statusMessage(res.body)})`);
  const metadata = isObject(res.body) && isObject(res.body.metadata) ? res.body.metadata : {};
  return stringsOf(metadata.annotations);
}

function stringsOf(v: unknown): Record<string, string> {
  if (!isObject(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
