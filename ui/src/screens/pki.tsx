// PKI: issue a certificate from a role. The private key is shown masked (it is returned once
// and never stored by the server); certificate, chain and key can be downloaded as PEM.
import { useState } from 'preact/hooks';
import { api, encodePath, listKeys, type Json } from '../api';
import { ErrorBox, Loading, MaskedValue, Page, TextField, useAction, useLoad } from '../widgets';
import type { Mount } from './secrets';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text.endsWith('\n') ? text : `${text}\n`], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

export function PkiScreen({ mount }: { mount: Mount }) {
  const roles = useLoad(() => listKeys(`${mount.path}roles`), [mount.path]);
  const [role, setRole] = useState('');
  const [commonName, setCommonName] = useState('');
  const [altNames, setAltNames] = useState('');
  const [ttl, setTtl] = useState('');
  const [issued, setIssued] = useState<Json>();
  const action = useAction();
  const chosen = role || roles.value?.[0] || '';
  return (
    <Page title={`PKI: ${mount.path}`}>
      {roles.loading ? <Loading /> : <ErrorBox error={roles.error} />}
      {!roles.loading && (roles.value ?? []).length === 0 && <p>No roles on this mount yet: certificates are issued from a role.</p>}
      <form aria-label="Issue a certificate" onSubmit={(e) => {
        e.preventDefault();
        setIssued(undefined);
        void action.run(async () => {
          const body: Json = { common_name: commonName.trim() };
          if (altNames.trim()) body.alt_names = altNames.trim();
          if (ttl.trim()) body.ttl = ttl.trim();
          setIssued((await api('POST', `${mount.path}issue/${encodePath(chosen)}`, body))?.data as Json);
        });
      }}>
        <div class="field">
          <label for="pki-role">Role</label>
          <select id="pki-role" value={chosen} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            {(roles.value ?? []).map((r) => <option value={r}>{r}</option>)}
          </select>
        </div>
        <TextField id="pki-cn" label="Common name" value={commonName} onInput={setCommonName} required placeholder="app.example.com" />
        <TextField id="pki-alt" label="Alternative names" value={altNames} onInput={setAltNames} hint="Comma-separated DNS names or emails" />
        <TextField id="pki-ttl" label="TTL" value={ttl} onInput={setTtl} hint="e.g. 72h; empty uses the role's" />
        <ErrorBox error={action.error} />
        <button type="submit" class="primary" disabled={action.busy || chosen === '' || commonName.trim() === ''}>Issue certificate</button>
      </form>
      {issued && (
        <section aria-labelledby="pki-issued">
          <h2 id="pki-issued">Issued certificate</h2>
          <dl class="lookup">
            <dt>serial number</dt><dd><code>{String(issued.serial_number)}</code></dd>
            <dt>expires</dt><dd>{new Date(Number(issued.expiration) * 1000).toUTCString()}</dd>
            <dt>private key</dt><dd><MaskedValue label="private key" value={String(issued.private_key)} /></dd>
          </dl>
          <div class="actions">
            <button type="button" onClick={() => download('certificate.pem', String(issued.certificate))}>Download certificate</button>
            <button type="button" onClick={() => download('ca-chain.pem', ((issued.ca_chain as string[] | undefined) ?? [String(issued.issuing_ca)]).join('\n'))}>Download CA chain</button>
            <button type="button" onClick={() => download('private-key.pem', String(issued.private_key))}>Download private key</button>
          </div>
          <pre class="pem" aria-label="Certificate">{String(issued.certificate)}</pre>
        </section>
      )}
    </Page>
  );
}
