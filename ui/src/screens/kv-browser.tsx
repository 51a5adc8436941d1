// One folder of a KV mount: its keys a page at a time, narrowed by a prefix, and a way to
// create a secret. LIST answers every key of the folder; paging happens here so a folder of
// 100k keys renders 100 rows.
import { useState } from 'preact/hooks';
import { href, navigate } from '../router';
import { ErrorBox, Loading, Page, TextField, useLoad } from '../widgets';
import { kvPaths, listKeys, type Mount } from './secrets';

const PAGE = 100;

export function KvBrowser({ mount, prefix }: { mount: Mount; prefix: string }) {
  const keys = useLoad(() => listKeys(kvPaths(mount, prefix).list), [mount.path, prefix]);
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const [newPath, setNewPath] = useState('');
  const shown = (keys.value ?? []).filter((k) => k.startsWith(filter));
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages - 1);
  const crumbs = prefix.split('/').filter((s) => s !== '');
  return (
    <Page title={`${mount.path}${prefix}`}>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href('secrets')}>Secrets</a> / <a href={href('secrets', mount.path)}>{mount.path}</a>
        {crumbs.map((c, i) => <> / <a href={href('secrets', mount.path + crumbs.slice(0, i + 1).join('/') + '/')}>{c}</a></>)}
      </nav>
      <form class="inline" onSubmit={(e) => {
        e.preventDefault();
        if (newPath.trim() !== '') navigate('secrets', `${mount.path}${prefix}${newPath.trim()}`);
      }} aria-label="Create a secret">
        <TextField id="new-secret-path" label="New secret at" value={newPath} onInput={setNewPath} placeholder="name or folder/name" />
        <button type="submit" disabled={newPath.trim() === ''}>Create secret</button>
      </form>
      <TextField id="key-filter" label="Keys starting with" value={filter} onInput={(v) => { setFilter(v); setPage(0); }} />
      {keys.loading && <Loading />}
      <ErrorBox error={keys.error} />
      {!keys.loading && !keys.error && (shown.length === 0 ? <p>No keys here{filter ? ` starting with “${filter}”` : ''}.</p> : (
        <>
          <ul class="keys" aria-label="Keys">
            {shown.slice(current * PAGE, (current + 1) * PAGE).map((k) => (
              <li><a href={href('secrets', `${mount.path}${prefix}${k}`)}>{k.endsWith('/') ? `📁 ${k}` : k}</a></li>
            ))}
          </ul>
          {pages > 1 && (
            <nav aria-label="Pages" class="pager">
              <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>Previous</button>
              <span aria-live="polite">Page {current + 1} of {pages} ({shown.length} keys)</span>
              <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>Next</button>
            </nav>
          )}
        </>
      ))}
    </Page>
  );
}
