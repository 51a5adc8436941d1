// Audit devices: the list, enabling a file device, disabling one.
import { useState } from 'preact/hooks';
import { api, type Json } from '../api';
import { ConfirmButton, ErrorBox, Loading, Page, TextField, useAction, useLoad } from '../widgets';

export function AuditScreen() {
  const devices = useLoad(async () => Object.entries(((await api('GET', 'sys/audit'))?.data ?? {}) as Record<string, Json>), []);
  const [path, setPath] = useState('file');
  const [filePath, setFilePath] = useState('');
  const action = useAction();
  return (
    <Page title="Audit devices">
      <p>Every request and response is recorded by each device, with secrets HMAC'd. If no device can record a request, it is refused.</p>
      {devices.loading ? <Loading /> : <ErrorBox error={devices.error} />}
      <ErrorBox error={action.error} />
      <table>
        <thead><tr><th scope="col">Path</th><th scope="col">Type</th><th scope="col">Options</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(devices.value ?? []).map(([p, d]) => (
            <tr>
              <td>{p}</td><td>{d.type}</td>
              <td>{Object.entries((d.options ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(', ')}</td>
              <td><ConfirmButton label={`Disable ${p}`} question={`Disable the audit device ${p}?`} onConfirm={() => void action.run(async () => { await api('DELETE', `sys/audit/${p}`); devices.reload(); })} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline" aria-label="Enable a file audit device" onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await api('PUT', `sys/audit/${path.replace(/\/+$/, '')}`, { type: 'file', options: { file_path: filePath } });
          devices.reload();
        });
      }}>
        <TextField id="audit-path" label="Device path" value={path} onInput={setPath} required />
        <TextField id="audit-file" label="File path" value={filePath} onInput={setFilePath} required placeholder="/var/log/lockbox-audit.log" />
        <button type="submit" disabled={action.busy}>Enable file device</button>
      </form>
    </Page>
  );
}
