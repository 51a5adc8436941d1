// Leases: browse by prefix (sys/leases/lookup/), look one up, renew or revoke it, and revoke
// a whole prefix after seeing how many leases that is.
import { useState } from 'preact/hooks';
import { api, listKeys, type Json } from '../api';
import { href } from '../router';
import { ConfirmButton, ErrorBox, Loading, Page, useAction, useLoad } from '../widgets';

/** Every lease id under a prefix, walking its folders. */
async function leasesUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const key of await listKeys(`sys/leases/lookup/${prefix}`)) {
    if (key.endsWith('/')) found.push(...(await leasesUnder(prefix + key)));
    else found.push(prefix + key);
  }
  return found;
}

export function LeasesScreen({ route }: { route: string[] }) {
  const prefix = route.join('/');
  const keys = useLoad(() => listKeys(`sys/leases/lookup/${prefix}`), [prefix]);
  const [detail, setDetail] = useState<Json>();
  const [count, setCount] = useState<number>();
  const action = useAction();
  const crumbs = prefix.split('/').filter((s) => s !== '');
  return (
    <Page title={`Leases${prefix ? ` under ${prefix}` : ''}`}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href('leases')}>Leases</a>
        {crumbs.map((c, i) => <> / <a href={href('leases', crumbs.slice(0, i + 1).join('/') + '/')}>{c}</a></>)}
      </nav>
      {keys.loading ? <Loading /> : <ErrorBox error={keys.error} />}
      <ErrorBox error={action.error} />
      {!keys.loading && (keys.value ?? []).length === 0 && <p>No leases here.</p>}
      <ul class="keys" aria-label="Leases and folders">
        {(keys.value ?? []).map((k) => (
          <li>
            {k.endsWith('/') ? <a href={href('leases', prefix + k)}>{k}</a> : (
              <>
                <code>{k}</code>{' '}
                <button type="button" class="small" onClick={() => void action.run(async () => setDetail((await api('PUT', 'sys/leases/lookup', { lease_id: prefix + k }))?.data as Json))}>Look up</button>{' '}
                <button type="button" class="small" onClick={() => void action.run(async () => { await api('PUT', 'sys/leases/renew', { lease_id: prefix + k }); setDetail((await api('PUT', 'sys/leases/lookup', { lease_id: prefix + k }))?.data as Json); })}>Renew</button>{' '}
                <ConfirmButton label="Revoke" question={`Revoke lease ${prefix + k}?`} onConfirm={() => void action.run(async () => { await api('PUT', 'sys/leases/revoke', { lease_id: prefix + k }); keys.reload(); })} />
              </>
            )}
          </li>
        ))}
      </ul>
      {detail && (
        <dl class="lookup" aria-label="Lease details">
          {['id', 'issue_time', 'expire_time', 'last_renewal', 'renewable', 'ttl'].map((f) => <><dt>{f}</dt><dd>{String(detail[f] ?? '')}</dd></>)}
        </dl>
      )}
      {prefix && (
        <div class="actions">
          <button type="button" onClick={() => void action.run(async () => setCount((await leasesUnder(prefix.endsWith('/') ? prefix : `${prefix}/`)).length))}>Count leases under {prefix}</button>
          {count !== undefined && (
            <ConfirmButton label={`Revoke all ${count} under ${prefix}`} question={`Revoke ${count} leases under ${prefix}? Their credentials stop working.`}
              onConfirm={() => void action.run(async () => { await api('PUT', `sys/leases/revoke-prefix/${prefix}`, {}); setCount(undefined); keys.reload(); })} />
          )}
        </div>
      )}
    </Page>
  );
}
