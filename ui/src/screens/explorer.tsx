// "Who can access this path?" — what this token may do there (sys/capabilities-self), and,
// for an administrator, which policies grant a capability there and which token roles,
// auth-method roles, users and live tokens carry those policies.
import { useState } from 'preact/hooks';
import { api, listKeys, type Json } from '../api';
import { href } from '../router';
import { ErrorBox, Loading, Page, TextField, useAction } from '../widgets';

type Grant = { name: string; capabilities: string[] };
type Carrier = { kind: string; name: string; where: string; policies: string[] };
type Review = { mine: string[]; grants: Grant[] | undefined; carriers: Carrier[]; skipped: string[] };

const CAPABILITIES = ['read', 'create', 'update', 'patch', 'delete', 'list', 'sudo'];

/** The capability asked about is granted by `root`, or listed, or implied by nothing else. */
const grantsCapability = (g: Grant, cap: string) => g.capabilities.includes('root') || g.capabilities.includes(cap);

export function ExplorerScreen() {
  const [path, setPath] = useState('secret/data/');
  const [cap, setCap] = useState('read');
  const [review, setReview] = useState<Review>();
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setReview(undefined);
    void action.run(async () => setReview(await reviewPath(path.trim(), cap)));
  };
  const granting = review?.grants?.filter((g) => grantsCapability(g, cap)) ?? [];
  const names = new Set(granting.map((g) => g.name));
  return (
    <Page title="Who can access a path">
      <form class="inline" onSubmit={submit} aria-label="Review a path">
        <TextField id="explore-path" label="Path" value={path} onInput={setPath} hint="An API path, e.g. secret/data/prod/db" required />
        <div class="field">
          <label for="explore-cap">Capability</label>
          <select id="explore-cap" value={cap} onChange={(e) => setCap((e.target as HTMLSelectElement).value)}>
            {CAPABILITIES.map((c) => <option value={c}>{c}</option>)}
          </select>
        </div>
        <button type="submit" class="primary" disabled={action.busy}>Review</button>
      </form>
      <ErrorBox error={action.error} />
      {action.busy && <Loading />}
      {review && (
        <>
          <section aria-labelledby="mine-title">
            <h2 id="mine-title">This token</h2>
            <p>Capabilities on <code>{path}</code>: {review.mine.map((c) => <code class="tag">{c}</code>)}</p>
          </section>
          <section aria-labelledby="who-title">
            <h2 id="who-title">Policies that grant {cap}</h2>
            {review.grants === undefined ? <p>Only an administrator (a token allowed <code>sys/internal/ui/path-access</code>) can review other policies.</p>
              : granting.length === 0 ? <p>No policy grants {cap} on this path.</p> : (
                <ul class="grants" aria-label={`Policies granting ${cap}`}>
                  {granting.map((g) => <li><a href={href('policies', g.name)}>{g.name}</a>: {g.capabilities.join(', ')}</li>)}
                </ul>
              )}
          </section>
          {review.grants !== undefined && (
            <section aria-labelledby="carriers-title">
              <h2 id="carriers-title">Who carries them</h2>
              <table>
                <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Where</th><th scope="col">Granting policies</th></tr></thead>
                <tbody>
                  {review.carriers.filter((c) => c.policies.some((p) => names.has(p))).map((c) => (
                    <tr><td>{c.kind}</td><td>{c.name}</td><td><code>{c.where}</code></td><td>{c.policies.filter((p) => names.has(p)).join(', ')}</td></tr>
                  ))}
                </tbody>
              </table>
              {review.skipped.length > 0 && <p class="muted">Not reviewed (no permission to list them): {review.skipped.join(', ')}</p>}
            </section>
          )}
        </>
      )}
    </Page>
  );
}

async function reviewPath(path: string, _cap: string): Promise<Review> {
  const mine = ((await api('POST', 'sys/capabilities-self', { paths: [path] }))?.data?.capabilities ?? []) as string[];
  let grants: Grant[] | undefined;
  try {
    grants = (await api('POST', 'sys/internal/ui/path-access', { path }))?.data?.policies as Grant[];
  } catch {
    return { mine, grants: undefined, carriers: [], skipped: [] };
  }
  const skipped: string[] = [];
  const carriers: Carrier[] = [];
  const collect = async (label: string, fn: () => Promise<Carrier[]>) => {
    try {
      carriers.push(...(await fn()));
    } catch {
      skipped.push(label);
    }
  };
  await collect('token roles', () => rolesOf('token role', 'auth/token/roles', (r) => [...(r.allowed_policies ?? [])]));
  const auth = ((await api('GET', 'sys/auth').catch(() => undefined))?.data ?? {}) as Record<string, Json>;
  for (const [mount, entry] of Object.entries(auth)) {
    const base = `auth/${mount}`;
    const policiesOf = (r: Json) => [...(r.token_policies ?? r.policies ?? [])] as string[];
    if (entry.type === 'approle') await collect(`${base}role`, () => rolesOf('AppRole role', `${base}role`, policiesOf));
    if (entry.type === 'userpass') await collect(`${base}users`, () => rolesOf('userpass user', `${base}users`, policiesOf));
    if (entry.type === 'jwt' || entry.type === 'oidc' || entry.type === 'kubernetes') await collect(`${base}role`, () => rolesOf(`${entry.type} role`, `${base}role`, policiesOf));
  }
  await collect('tokens', liveTokens);
  return { mine, grants, carriers, skipped };
}

/** Every entry under a LIST path, read one by one, with the policies it hands out. */
async function rolesOf(kind: string, listPath: string, policiesOf: (r: Json) => string[]): Promise<Carrier[]> {
  const names = await listKeys(listPath);
  const read = await Promise.all(names.map(async (name) => ({ name, data: (await api('GET', `${listPath}/${encodeURIComponent(name)}`))?.data as Json | undefined })));
  return read.filter((r) => r.data).map((r) => ({ kind, name: r.name, where: `${listPath}/${r.name}`, policies: policiesOf(r.data as Json) }));
}

/** Live tokens, by accessor (the first 500: an access review, not an inventory). */
async function liveTokens(): Promise<Carrier[]> {
  const accessors = (await listKeys('auth/token/accessors')).slice(0, 500);
  const entries = await Promise.all(accessors.map((accessor) => api('POST', 'auth/token/lookup-accessor', { accessor }).catch(() => undefined)));
  return entries.filter((e) => e?.data).map((e) => {
    const d = e!.data as Json;
    return { kind: 'token', name: d.display_name as string, where: `accessor ${d.accessor as string}`, policies: d.policies as string[] };
  });
}
