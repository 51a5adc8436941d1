// Secrets: the mounts this token can see, a KV (v1, v2) and cubbyhole browser, and one
// secret's values, versions and metadata. Values stay masked until revealed.
import { api, encodePath, listKeys, type Json } from '../api';
import { href } from '../router';
import { ErrorBox, Loading, Page, useLoad } from '../widgets';
import { KvBrowser } from './kv-browser';
import { SecretView } from './secret-view';
import { TransitTool } from './transit';
import { DatabaseScreen } from './database';
import { PkiScreen } from './pki';

/** A mount as sys/internal/ui/mounts shows it, with its path. */
export type Mount = { path: string; type: string; version: 1 | 2; description: string };

/** KV-like mounts the browser handles. */
const BROWSABLE = new Set(['kv', 'cubbyhole', 'generic']);

async function loadMounts(): Promise<Mount[]> {
  const res = await api('GET', 'sys/internal/ui/mounts');
  const secret = (res?.data?.secret ?? {}) as Record<string, Json>;
  return Object.entries(secret).map(([path, m]) => ({
    path, type: m.type as string, description: (m.description as string) ?? '',
    version: (m.type === 'kv' && m.options?.version === '2') ? 2 as const : 1 as const,
  })).sort((a, b) => a.path.localeCompare(b.path));
}

export function SecretsScreen({ route }: { route: string[] }) {
  const mounts = useLoad(loadMounts, []);
  if (mounts.loading && !mounts.value) return <Loading />;
  if (mounts.error) return <Page title="Secrets"><ErrorBox error={mounts.error} /></Page>;
  const all = mounts.value ?? [];
  const joined = route.join('/');
  // The longest mount path that starts the route (mount paths may hold slashes).
  const mount = all.filter((m) => `${joined}/`.startsWith(m.path) || joined === m.path.slice(0, -1))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!mount) return <MountList mounts={all} />;
  if (mount.type === 'transit') return <TransitTool mount={mount} />;
  if (mount.type === 'database') return <DatabaseScreen mount={mount} />;
  if (mount.type === 'pki') return <PkiScreen mount={mount} />;
  if (!BROWSABLE.has(mount.type)) {
    return <Page title={mount.path}><p>This is a <code>{mount.type}</code> mount; the UI browses KV and cubbyhole mounts. Use the CLI or the API for it.</p></Page>;
  }
  const inside = joined.length >= mount.path.length ? joined.slice(mount.path.length) : '';
  if (inside === '' || inside.endsWith('/')) return <KvBrowser mount={mount} prefix={inside} />;
  return <SecretView key={`${mount.path}${inside}`} mount={mount} path={inside} />;
}

function MountList({ mounts }: { mounts: Mount[] }) {
  return (
    <Page title="Secrets engines">
      {mounts.length === 0 ? <p>This token can see no secrets engines.</p> : (
        <table>
          <caption class="sr-only">Secrets engines this token can see</caption>
          <thead><tr><th scope="col">Path</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead>
          <tbody>
            {mounts.map((m) => (
              <tr>
                <td><a href={href('secrets', m.path)}>{m.path}</a></td>
                <td>{m.type === 'kv' ? `kv v${m.version}` : m.type}</td>
                <td>{m.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

/** The API paths of one secret or folder on a mount. */
export function kvPaths(mount: Mount, path: string) {
  const p = encodePath(path);
  const base = mount.path;
  return mount.version === 2
    ? { list: `${base}metadata/${p}`, data: `${base}data/${p}`, metadata: `${base}metadata/${p}`, remove: `${base}delete/${p}`, undelete: `${base}undelete/${p}`, destroy: `${base}destroy/${p}` }
    : { list: `${base}${p}`, data: `${base}${p}`, metadata: '', remove: '', undelete: '', destroy: '' };
}

export { listKeys };
