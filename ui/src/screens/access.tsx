// Access: auth methods and secrets engines (enable, tune, disable) and live tokens by
// accessor (look up, revoke).
import { useState } from 'preact/hooks';
import { api, listKeys, type Json } from '../api';
import { ConfirmButton, ErrorBox, Loading, Page, TextField, useAction, useLoad } from '../widgets';

export function AccessScreen() {
  return (
    <Page title="Access">
      <MountTable kind="auth" title="Auth methods" />
      <MountTable kind="mounts" title="Secrets engines" />
      <Accessors />
    </Page>
  );
}

/** sys/auth or sys/mounts: the list, an enable form, tune and disable per row. */
function MountTable({ kind, title }: { kind: 'auth' | 'mounts'; title: string }) {
  const rows = useLoad(async () => Object.entries(((await api('GET', `sys/${kind}`))?.data ?? {}) as Record<string, Json>), [kind]);
  const [type, setType] = useState('');
  const [path, setPath] = useState('');
  const [tuning, setTuning] = useState<string>();
  const action = useAction();
  const id = `${kind}-title`;
  const tunePath = (p: string) => (kind === 'auth' ? `sys/auth/${p}tune` : `sys/mounts/${p}tune`);
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.loading ? <Loading /> : <ErrorBox error={rows.error} />}
      <ErrorBox error={action.error} />
      <table>
        <thead><tr><th scope="col">Path</th><th scope="col">Type</th><th scope="col">Default TTL</th><th scope="col">Max TTL</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(rows.value ?? []).map(([p, m]) => (
            <tr>
              <td>{kind === 'auth' ? `auth/${p}` : p}</td>
              <td>{m.type}{m.options?.version ? ` v${m.options.version}` : ''}</td>
              <td>{m.config?.default_lease_ttl || 'system'}</td>
              <td>{m.config?.max_lease_ttl || 'system'}</td>
              <td class="actions">
                <button type="button" class="small" onClick={() => setTuning(tuning === p ? undefined : p)}>Tune</button>
                {!['sys/', 'cubbyhole/', 'identity/', 'token/'].includes(p) && (
                  <ConfirmButton label={`Disable ${p}`} question={`Disable ${kind === 'auth' ? 'auth/' : ''}${p}? Everything stored under it is deleted${kind === 'mounts' ? ' and its leases revoked' : ''}.`}
                    onConfirm={() => void action.run(async () => { await api('DELETE', `sys/${kind}/${p}`); rows.reload(); })} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tuning && <TuneForm path={tunePath(tuning)} label={tuning} onDone={() => { setTuning(undefined); rows.reload(); }} />}
      <form class="inline" aria-label={`Enable ${kind === 'auth' ? 'an auth method' : 'a secrets engine'}`} onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const at = (path.trim() || type.trim()).replace(/\/+$/, '');
          await api('POST', `sys/${kind}/${at}`, { type: type.trim() });
          setType('');
          setPath('');
          rows.reload();
        });
      }}>
        <TextField id={`${kind}-type`} label="Type" value={type} onInput={setType} required placeholder={kind === 'auth' ? 'userpass' : 'kv-v2'} />
        <TextField id={`${kind}-path`} label="Path" value={path} onInput={setPath} placeholder="defaults to the type" />
        <button type="submit" disabled={action.busy || type.trim() === ''}>Enable</button>
      </form>
    </section>
  );
}

function TuneForm({ path, label, onDone }: { path: string; label: string; onDone: () => void }) {
  const [defaultTtl, setDefaultTtl] = useState('');
  const [maxTtl, setMaxTtl] = useState('');
  const action = useAction();
  return (
    <form class="inline" aria-label={`Tune ${label}`} onSubmit={(e) => {
      e.preventDefault();
      void action.run(async () => {
        const body: Json = {};
        if (defaultTtl) body.default_lease_ttl = defaultTtl;
        if (maxTtl) body.max_lease_ttl = maxTtl;
        await api('POST', path, body);
        onDone();
      });
    }}>
      <TextField id="tune-default" label={`Default TTL of ${label}`} value={defaultTtl} onInput={setDefaultTtl} placeholder="e.g. 1h" />
      <TextField id="tune-max" label={`Max TTL of ${label}`} value={maxTtl} onInput={setMaxTtl} placeholder="e.g. 24h" />
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>Save</button>
    </form>
  );
}

function Accessors() {
  const accessors = useLoad(() => listKeys('auth/token/accessors'), []);
  const [shown, setShown] = useState<Json>();
  const action = useAction();
  return (
    <section aria-labelledby="accessors-title">
      <h2 id="accessors-title">Tokens</h2>
      {accessors.loading ? <Loading /> : <ErrorBox error={accessors.error} />}
      <ErrorBox error={action.error} />
      <ul class="keys" aria-label="Token accessors">
        {(accessors.value ?? []).slice(0, 200).map((a) => (
          <li>
            <code>{a}</code>{' '}
            <button type="button" class="small" onClick={() => void action.run(async () => setShown((await api('POST', 'auth/token/lookup-accessor', { accessor: a }))?.data as Json))}>Look up</button>{' '}
            <ConfirmButton label="Revoke" question={`Revoke the token with accessor ${a}, and its children?`}
              onConfirm={() => void action.run(async () => { await api('POST', 'auth/token/revoke-accessor', { accessor: a }); accessors.reload(); })} />
          </li>
        ))}
      </ul>
      {shown && (
        <dl class="lookup" aria-label="Token details">
          {['display_name', 'accessor', 'policies', 'ttl', 'creation_time', 'expire_time', 'path', 'num_uses', 'orphan'].map((k) => (
            <><dt>{k}</dt><dd>{Array.isArray(shown[k]) ? (shown[k] as string[]).join(', ') : String(shown[k] ?? '')}</dd></>
          ))}
        </dl>
      )}
    </section>
  );
}
