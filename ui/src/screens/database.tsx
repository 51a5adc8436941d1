// Database credentials: dynamic roles mint a user with a lease (shown with its TTL and a
// revoke button); static roles show the current password of a rotated user.
import { useState } from 'preact/hooks';
import { api, encodePath, listKeys, type Json } from '../api';
import { ConfirmButton, ErrorBox, formatTtl, Loading, MaskedValue, Page, useAction, useLoad } from '../widgets';
import type { Mount } from './secrets';

type Issued = { role: string; username: string; password: string; leaseId: string; ttl: number };

export function DatabaseScreen({ mount }: { mount: Mount }) {
  const roles = useLoad(() => listKeys(`${mount.path}roles`), [mount.path]);
  const statics = useLoad(() => listKeys(`${mount.path}static-roles`), [mount.path]);
  const [issued, setIssued] = useState<Issued[]>([]);
  const [shownStatic, setShownStatic] = useState<Json & { name: string }>();
  const action = useAction();
  return (
    <Page title={`Database: ${mount.path}`}>
      <ErrorBox error={action.error} />
      <section aria-labelledby="db-roles">
        <h2 id="db-roles">Dynamic roles</h2>
        {roles.loading ? <Loading /> : <ErrorBox error={roles.error} />}
        {!roles.loading && (roles.value ?? []).length === 0 && <p>No roles on this mount.</p>}
        <ul class="keys" aria-label="Dynamic roles">
          {(roles.value ?? []).map((r) => (
            <li>{r}{' '}
              <button type="button" class="small" disabled={action.busy} onClick={() => void action.run(async () => {
                const res = await api('GET', `${mount.path}creds/${encodePath(r)}`);
                setIssued([{ role: r, username: res?.data?.username, password: res?.data?.password, leaseId: res?.lease_id, ttl: res?.lease_duration }, ...issued]);
              })}>Generate credentials</button>
            </li>
          ))}
        </ul>
        {issued.length > 0 && (
          <table aria-label="Issued credentials">
            <thead><tr><th scope="col">Role</th><th scope="col">Username</th><th scope="col">Password</th><th scope="col">Lease</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {issued.map((c) => (
                <tr>
                  <td>{c.role}</td><td><code>{c.username}</code></td>
                  <td><MaskedValue label={`password of ${c.username}`} value={c.password} /></td>
                  <td><code>{c.leaseId}</code> ({formatTtl(c.ttl)})</td>
                  <td><ConfirmButton label="Revoke" question={`Revoke the lease of ${c.username}? The user is dropped from the database.`}
                    onConfirm={() => void action.run(async () => {
                      await api('PUT', 'sys/leases/revoke', { lease_id: c.leaseId });
                      setIssued(issued.filter((x) => x.leaseId !== c.leaseId));
                    })} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="db-static">
        <h2 id="db-static">Static roles</h2>
        {statics.loading ? <Loading /> : <ErrorBox error={statics.error} />}
        {!statics.loading && (statics.value ?? []).length === 0 && <p>No static roles on this mount.</p>}
        <ul class="keys" aria-label="Static roles">
          {(statics.value ?? []).map((r) => (
            <li>{r}{' '}
              <button type="button" class="small" onClick={() => void action.run(async () => setShownStatic({ name: r, ...((await api('GET', `${mount.path}static-creds/${encodePath(r)}`))?.data as Json) }))}>Show credentials</button>{' '}
              <button type="button" class="small" onClick={() => void action.run(async () => { await api('POST', `${mount.path}rotate-role/${encodePath(r)}`, {}); setShownStatic(undefined); })}>Rotate now</button>
            </li>
          ))}
        </ul>
        {shownStatic && (
          <dl class="lookup" aria-label={`Credentials of ${shownStatic.name}`}>
            <dt>username</dt><dd><code>{String(shownStatic.username)}</code></dd>
            <dt>password</dt><dd><MaskedValue label={`password of ${String(shownStatic.username)}`} value={String(shownStatic.password)} /></dd>
            <dt>last rotation</dt><dd>{String(shownStatic.last_vault_rotation ?? '')}</dd>
            <dt>next rotation in</dt><dd>{formatTtl(Number(shownStatic.ttl ?? 0))}</dd>
          </dl>
        )}
      </section>
    </Page>
  );
}
