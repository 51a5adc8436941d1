// A Kubernetes API server stand-in on 127.0.0.1: HTTPS with a CA this file mints, serving only
// TokenReviews, namespaces/<ns> and namespaces/<ns>/serviceaccounts/<name>. Its service-account
// JWTs are minted with jose in the legacy (secret-based) and projected shapes; a review
// authenticates only tokens it issued, has not revoked, and whose account still exists with the
// same uid. A bearer it does not know gets a 401 Status. Every request is recorded.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** The audience the API server takes a review without audiences to mean. */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const PROJECTED_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const toPem = (der: ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A CA and a server certificate for 127.0.0.1 signed by it. */
export async function mintTls() {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=test kubernetes CA', keys: caKeys, signingAlgorithm: alg,
    notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86400_000),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const serverKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: 'CN=kube-apiserver', issuer: ca.subject, publicKey: serverKeys.publicKey, signingKey: caKeys.privateKey,
    signingAlgorithm: alg, notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86400_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const key = toPem(await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey), 'PRIVATE KEY');
  return { caPem: ca.toString('pem'), certPem: cert.toString('pem'), keyPem: key };
}

type Account = { uid: string; annotations: Record<string, string> };
type Issued = { namespace: string; name: string; uid: string; audiences: string[] };
export type Recorded = { method: string; path: string; bearer: string; body: any; status: number };
export type TokenShape = 'legacy' | 'projected';

export async function startKubeApi() {
  const tls = await mintTls();
  const signer = await generateKeyPair('RS256', { extractable: true });
  const accounts = new Map<string, Account>();
  const namespaces = new Map<string, Record<string, string>>();
  const issued = new Map<string, Issued>();
  const revoked = new Set<string>();
  /** Bearers allowed besides live issued tokens (the reviewer's). */
  const bearers = new Set<string>();
  const requests: Recorded[] = [];

  const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
  const notFound = (what: string, name: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${what} "${name}" not found`, reason: 'NotFound', code: 404 });
  const live = (jwt: string): Issued | undefined => {
    const t = issued.get(jwt);
    if (!t || revoked.has(jwt)) return undefined;
    return accounts.get(`${t.namespace}/${t.name}`)?.uid === t.uid ? t : undefined;
  };

  function review(spec: { token?: string; audiences?: string[] }) {
    const t = typeof spec.token === 'string' ? live(spec.token) : undefined;
    const wanted = spec.audiences && spec.audiences.length > 0 ? spec.audiences : [API_AUDIENCE];
    if (!t) return { authenticated: false, error: '[invalid bearer token, token lookup failed]' };
    const granted = t.audiences.filter((a) => wanted.includes(a));
    if (granted.length === 0) return { authenticated: false, error: '[invalid bearer token, token audiences is invalid for the target audiences]' };
    return {
      authenticated: true, audiences: granted,
      user: { username: `system:serviceaccount:${t.namespace}:${t.name}`, uid: t.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${t.namespace}`] },
    };
  }

  function answer(method: string, path: string, bearer: string, body: any): [number, unknown] {
    if (!bearers.has(bearer) && !live(bearer)) return [401, unauthorized];
    if (method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') {
      return [201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec: body?.spec ?? {}, status: review(body?.spec ?? {}) }];
    }
    const sa = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/.exec(path);
    if (method === 'GET' && sa) {
      const [ns, name] = [decodeURIComponent(sa[1]!), decodeURIComponent(sa[2]!)];
      const a = accounts.get(`${ns}/${name}`);
      if (!a) return [404, notFound('serviceaccounts', name)];
      return [200, { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name, namespace: ns, uid: a.uid, annotations: a.annotations } }];
    }
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (method === 'GET' && ns) {
      const name = decodeURIComponent(ns[1]!);
      const labels = namespaces.get(name);
      if (!labels) return [404, notFound('namespaces', name)];
      return [200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name, labels } }];
    }
    return [404, notFound('path', path)];
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const path = (req.url ?? '').split('?')[0]!;
      const [status, out] = answer(req.method ?? '', path, bearer, body);
      requests.push({ method: req.method ?? '', path, bearer, body, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Signs a service-account token for ns/name (the account must exist) in either shape. */
  async function mint(namespace: string, name: string, opts: { shape?: TokenShape; audiences?: string[]; claims?: Record<string, unknown>; key?: CryptoKey; nowSec?: number } = {}) {
    const account = accounts.get(`${namespace}/${name}`);
    if (!account) throw new Error(`no account ${namespace}/${name}`);
    const shape = opts.shape ?? 'projected';
    const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
    const audiences = opts.audiences ?? [API_AUDIENCE];
    const claims = shape === 'legacy'
      ? {
          iss: 'kubernetes/serviceaccount', sub: `system:serviceaccount:${namespace}:${name}`,
          'kubernetes.io/serviceaccount/namespace': namespace, 'kubernetes.io/serviceaccount/secret.name': `${name}-token-x1y2z`,
          'kubernetes.io/serviceaccount/service-account.name': name, 'kubernetes.io/serviceaccount/service-account.uid': account.uid,
        }
      : {
          iss: PROJECTED_ISSUER, sub: `system:serviceaccount:${namespace}:${name}`, aud: audiences, iat: now, nbf: now, exp: now + 3600,
          'kubernetes.io': { namespace, pod: { name: `${name}-pod`, uid: randomUUID() }, serviceaccount: { name, uid: account.uid } },
        };
    const jwt = await new SignJWT({ ...claims, ...opts.claims }).setProtectedHeader({ alg: 'RS256', kid: 'cluster' }).sign(opts.key ?? signer.privateKey);
    issued.set(jwt, { namespace, name, uid: account.uid, audiences: shape === 'legacy' ? [API_AUDIENCE] : audiences });
    return jwt;
  }

  return {
    url,
    caPem: tls.caPem,
    /** The cluster's signing key, as pem_keys takes it. */
    publicKeyPem: await exportSPKI(signer.publicKey),
    requests,
    reviews: () => requests.filter((r) => r.path.endsWith('/tokenreviews')),
    addNamespace: (name: string, labels: Record<string, string> = {}) => { namespaces.set(name, labels); },
    addAccount: (namespace: string, name: string, annotations: Record<string, string> = {}) => {
      if (!namespaces.has(namespace)) namespaces.set(namespace, {});
      const uid = randomUUID();
      accounts.set(`${namespace}/${name}`, { uid, annotations });
      return uid;
    },
    deleteAccount: (namespace: string, name: string) => { accounts.delete(`${namespace}/${name}`); },
    deleteNamespace: (name: string) => { namespaces.delete(name); },
    allowBearer: (token: string) => { bearers.add(token); },
    revoke: (jwt: string) => { revoked.add(jwt); },
    mint,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export type KubeApi = Awaited<ReturnType<typeof startKubeApi>>;
