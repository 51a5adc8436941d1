// One KV secret: masked values, an editor (key/value rows or JSON) that saves with
// check-and-set, and on KV v2 its versions (diff, delete, undelete, destroy) and metadata.
import { useState } from 'preact/hooks';
import { api, ApiError, type Json } from '../api';
import { href, navigate } from '../router';
import { ConfirmButton, ErrorBox, Loading, MaskedValue, Notice, Page, useAction, useLoad } from '../widgets';
import { kvPaths, type Mount } from './secrets';
import { SecretEditor } from './secret-editor';
import { VersionList } from './versions';

type Loaded = { data: Json | undefined; version: number; deleted: boolean; metadata: Json | undefined };

async function loadSecret(mount: Mount, path: string, version: number | undefined): Promise<Loaded> {
  const paths = kvPaths(mount, path);
  const query = version ? `?version=${version}` : '';
  if (mount.version === 1) {
    const res = await api('GET', paths.data);
    return { data: res?.data as Json | undefined, version: 0, deleted: false, metadata: undefined };
  }
  const [res, meta] = await Promise.all([readVersion(paths.data + query), api('GET', paths.metadata)]);
  const m = meta?.data as Json | undefined;
  return {
    data: res?.data?.data as Json | undefined,
    version: (res?.data?.metadata?.version as number | undefined) ?? (m?.current_version as number | undefined) ?? 0,
    deleted: Boolean(res?.data?.metadata?.deletion_time) || Boolean(res?.data?.metadata?.destroyed),
    metadata: m,
  };
}

/** KV v2 answers a deleted version with 404 and its metadata in the body. */
async function readVersion(path: string): Promise<Json | undefined> {
  try {
    return await api('GET', path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Vault's check-and-set refusal, which the editor explains instead of just showing. */
const CAS_MISMATCH = 'check-and-set parameter did not match the current version';

export function SecretView({ mount, path }: { mount: Mount; path: string }) {
  const [version, setVersion] = useState<number | undefined>(undefined);
  const secret = useLoad(() => loadSecret(mount, path, version), [mount.path, path, version]);
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const [conflict, setConflict] = useState<string>();
  const paths = kvPaths(mount, path);
  const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const title = `${mount.path}${path}`;
  if (secret.loading && !secret.value) return <Page title={title}><Loading /></Page>;
  if (secret.error) return <Page title={title}><ErrorBox error={secret.error} /></Page>;
  const loaded = secret.value!;
  const exists = loaded.data !== undefined || loaded.metadata !== undefined;

  const save = (data: Json) => action.run(async () => {
    setConflict(undefined);
    try {
      if (mount.version === 2) await api('POST', paths.data, { data, options: { cas: loaded.metadata ? (loaded.metadata.current_version as number) : 0 } });
      else await api('POST', paths.data, data);
    } catch (err) {
      if (err instanceof ApiError && err.errors.some((e) => e.includes(CAS_MISMATCH))) {
        const fresh = await api('GET', paths.metadata);
        const now = fresh?.data?.current_version as number | undefined;
        setConflict(`Someone else saved this secret while you were editing: you started from version ${loaded.metadata?.current_version ?? 0}, `
          + `and the latest is now version ${now ?? '?'}. Nothing was overwritten. Your edits are still in the editor; `
          + 'reload to see the latest version, then apply them again.');
        return;
      }
      throw err;
    }
    setEditing(false);
    setVersion(undefined);
    secret.reload();
  });

  return (
    <Page title={title} actions={!editing && (
      <>
        <button type="button" onClick={() => setEditing(true)}>{exists ? 'Edit' : 'Create'}</button>
        {exists && <ConfirmButton label={mount.version === 2 ? 'Delete latest version' : 'Delete'} question={`Delete ${title}?`}
          onConfirm={() => void action.run(async () => {
            await api('DELETE', paths.data);
            if (mount.version === 1) navigate('secrets', mount.path + folder);
            else secret.reload();
          })} />}
      </>
    )}>
      <nav aria-label="Breadcrumb" class="crumbs"><a href={href('secrets', mount.path + folder)}>← {mount.path}{folder}</a></nav>
      <ErrorBox error={action.error} />
      {conflict && <div class="warning" role="alert">{conflict}</div>}
      {editing
        ? <SecretEditor initial={loaded.data ?? {}} busy={action.busy} onSave={(d) => void save(d)} onCancel={() => { setEditing(false); setConflict(undefined); }} />
        : <SecretValues loaded={loaded} exists={exists} />}
      {mount.version === 2 && loaded.metadata && (
        <VersionList mount={mount} path={path} metadata={loaded.metadata} shown={loaded.version}
          onShow={(v) => setVersion(v)} onChanged={() => secret.reload()} />
      )}
    </Page>
  );
}

function SecretValues({ loaded, exists }: { loaded: Loaded; exists: boolean }) {
  if (!exists) return <Notice>No secret here yet. Create it to store values.</Notice>;
  if (!loaded.data) return <Notice>Version {loaded.version} is deleted or destroyed. Pick another version below, or undelete it.</Notice>;
  const entries = Object.entries(loaded.data);
  return (
    <table class="values">
      <caption>{loaded.version ? `Version ${loaded.version}` : 'Values'}</caption>
      <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
      <tbody>
        {entries.map(([k, v]) => (
          <tr><th scope="row">{k}</th><td><MaskedValue label={k} value={typeof v === 'string' ? v : JSON.stringify(v)} /></td></tr>
        ))}
      </tbody>
    </table>
  );
}
