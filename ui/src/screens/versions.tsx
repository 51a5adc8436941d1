// A KV v2 secret's versions and metadata: show any version, compare two, delete, undelete or
// destroy one, and edit max_versions, cas_required, delete_version_after and custom metadata.
import { useState } from 'preact/hooks';
import { api, type Json } from '../api';
import { ConfirmButton, ErrorBox, MaskedValue, TextField, useAction } from '../widgets';
import { kvPaths, type Mount } from './secrets';

type VersionMeta = { created_time: string; deletion_time: string; destroyed: boolean };

export function VersionList({ mount, path, metadata, shown, onShow, onChanged }: {
  mount: Mount; path: string; metadata: Json; shown: number; onShow: (v: number) => void; onChanged: () => void;
}) {
  const versions = Object.entries((metadata.versions ?? {}) as Record<string, VersionMeta>)
    .map(([n, v]) => ({ n: Number(n), ...v })).sort((a, b) => b.n - a.n);
  const paths = kvPaths(mount, path);
  const action = useAction();
  const [left, setLeft] = useState(String(versions[1]?.n ?? versions[0]?.n ?? ''));
  const [right, setRight] = useState(String(versions[0]?.n ?? ''));
  const [diff, setDiff] = useState<DiffRow[]>();
  const act = (what: string, endpoint: string, n: number) => void action.run(async () => {
    await api(what === 'destroy' ? 'PUT' : 'POST', endpoint, { versions: [n] });
    onChanged();
  });
  const compare = () => void action.run(async () => {
    const read = async (v: string) => ((await api('GET', `${paths.data}?version=${v}`))?.data?.data ?? {}) as Json;
    const [a, b] = await Promise.all([read(left), read(right)]);
    setDiff(diffOf(a, b));
  });
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorBox error={action.error} />
      <table>
        <thead><tr><th scope="col">Version</th><th scope="col">Created</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {versions.map((v) => {
            const state = v.destroyed ? 'destroyed' : v.deletion_time ? 'deleted' : 'live';
            return (
              <tr aria-current={v.n === shown ? 'true' : undefined}>
                <td>{v.n}{v.n === metadata.current_version ? ' (current)' : ''}</td>
                <td><time dateTime={v.created_time}>{new Date(v.created_time).toLocaleString()}</time></td>
                <td>{state}</td>
                <td class="actions">
                  <button type="button" class="small" onClick={() => onShow(v.n)} disabled={state !== 'live'}>Show</button>
                  {state === 'live' && <button type="button" class="small" onClick={() => act('delete', paths.remove, v.n)}>Delete</button>}
                  {state === 'deleted' && <button type="button" class="small" onClick={() => act('undelete', paths.undelete, v.n)}>Undelete</button>}
                  {state !== 'destroyed' && <ConfirmButton label={`Destroy version ${v.n}`} question={`Destroy version ${v.n} for good? It cannot be recovered.`} onConfirm={() => act('destroy', paths.destroy, v.n)} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {versions.length > 1 && (
        <form class="inline" aria-label="Compare versions" onSubmit={(e) => { e.preventDefault(); compare(); }}>
          <VersionSelect id="diff-left" label="Compare version" value={left} onChange={setLeft} versions={versions.map((v) => v.n)} />
          <VersionSelect id="diff-right" label="with version" value={right} onChange={setRight} versions={versions.map((v) => v.n)} />
          <button type="submit">Compare</button>
        </form>
      )}
      {diff && <DiffTable rows={diff} left={left} right={right} />}
      <MetadataForm mount={mount} path={path} metadata={metadata} onSaved={onChanged} />
    </section>
  );
}

function VersionSelect({ id, label, value, onChange, versions }: { id: string; label: string; value: string; onChange: (v: string) => void; versions: number[] }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {versions.map((n) => <option value={String(n)}>{n}</option>)}
      </select>
    </div>
  );
}

type DiffRow = { key: string; change: 'added' | 'removed' | 'changed' | 'same'; before?: string; after?: string };

const text = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** Key by key: what the later version added, removed or changed. */
export function diffOf(a: Json, b: Json): DiffRow[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.map((key) => {
    const before = text(a[key]);
    const after = text(b[key]);
    const change = before === undefined ? 'added' : after === undefined ? 'removed' : before === after ? 'same' : 'changed';
    return { key, change, before, after };
  });
}

function DiffTable({ rows, left, right }: { rows: DiffRow[]; left: string; right: string }) {
  return (
    <table class="diff">
      <caption>Version {left} → version {right}</caption>
      <thead><tr><th scope="col">Key</th><th scope="col">Change</th><th scope="col">Version {left}</th><th scope="col">Version {right}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr class={`diff-${r.change}`}>
            <th scope="row">{r.key}</th>
            <td>{r.change}</td>
            <td>{r.before !== undefined && <MaskedValue label={`${r.key} in version ${left}`} value={r.before} />}</td>
            <td>{r.after !== undefined && <MaskedValue label={`${r.key} in version ${right}`} value={r.after} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MetadataForm({ mount, path, metadata, onSaved }: { mount: Mount; path: string; metadata: Json; onSaved: () => void }) {
  const [maxVersions, setMaxVersions] = useState(String(metadata.max_versions ?? 0));
  const [casRequired, setCasRequired] = useState(Boolean(metadata.cas_required));
  const [deleteAfter, setDeleteAfter] = useState(String(metadata.delete_version_after ?? '0s'));
  const [custom, setCustom] = useState(Object.entries((metadata.custom_metadata ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join('\n'));
  const action = useAction();
  const [saved, setSaved] = useState(false);
  return (
    <form class="metadata" aria-labelledby="metadata-title" onSubmit={(e) => {
      e.preventDefault();
      setSaved(false);
      void action.run(async () => {
        const custom_metadata = Object.fromEntries(custom.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => {
          const i = l.indexOf('=');
          return i === -1 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
        }));
        await api('POST', kvPaths(mount, path).metadata, { max_versions: Number(maxVersions), cas_required: casRequired, delete_version_after: deleteAfter, custom_metadata });
        setSaved(true);
        onSaved();
      });
    }}>
      <h2 id="metadata-title">Metadata</h2>
      <TextField id="meta-max-versions" label="Maximum versions (0 = the mount's setting)" type="number" value={maxVersions} onInput={setMaxVersions} />
      <label class="check"><input type="checkbox" checked={casRequired} onChange={() => setCasRequired(!casRequired)} /> Require check-and-set on writes</label>
      <TextField id="meta-delete-after" label="Delete versions after" value={deleteAfter} onInput={setDeleteAfter} hint="A duration such as 720h; 0s keeps them" />
      <div class="field">
        <label for="meta-custom">Custom metadata (one key=value per line)</label>
        <textarea id="meta-custom" rows={4} value={custom} onInput={(e) => setCustom((e.target as HTMLTextAreaElement).value)} />
      </div>
      <ErrorBox error={action.error} />
      {saved && <p role="status">Metadata saved.</p>}
      <button type="submit" disabled={action.busy}>Save metadata</button>
    </form>
  );
}
