// The transit tool: encrypt, decrypt and rewrap with a named key, without the key ever
// leaving the server. Plaintext travels base64-encoded, as the transit API expects.
import { useState } from 'preact/hooks';
import { api, encodePath, listKeys } from '../api';
import { ErrorBox, Loading, MaskedValue, Page, useAction, useLoad } from '../widgets';
import type { Mount } from './secrets';

type Operation = 'encrypt' | 'decrypt' | 'rewrap';

const toBase64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const fromBase64 = (b64: string) => new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));

export function TransitTool({ mount }: { mount: Mount }) {
  const keys = useLoad(() => listKeys(`${mount.path}keys`), [mount.path]);
  const [key, setKey] = useState('');
  const [operation, setOperation] = useState<Operation>('encrypt');
  const [input, setInput] = useState('');
  const [output, setOutput] = useState<{ label: string; value: string; secret: boolean }>();
  const action = useAction();
  const chosen = key || keys.value?.[0] || '';
  const run = (e: Event) => {
    e.preventDefault();
    setOutput(undefined);
    void action.run(async () => {
      const at = `${mount.path}${operation}/${encodePath(chosen)}`;
      if (operation === 'encrypt') {
        const res = await api('POST', at, { plaintext: toBase64(input) });
        setOutput({ label: 'Ciphertext', value: res?.data?.ciphertext as string, secret: false });
      } else if (operation === 'decrypt') {
        const res = await api('POST', at, { ciphertext: input.trim() });
        setOutput({ label: 'Plaintext', value: fromBase64(res?.data?.plaintext as string), secret: true });
      } else {
        const res = await api('POST', at, { ciphertext: input.trim() });
        setOutput({ label: 'Rewrapped ciphertext', value: res?.data?.ciphertext as string, secret: false });
      }
    });
  };
  return (
    <Page title={`Transit: ${mount.path}`}>
      {keys.loading ? <Loading /> : <ErrorBox error={keys.error} />}
      {!keys.loading && (keys.value ?? []).length === 0 && <p>No keys on this mount yet: create one with <code>POST {mount.path}keys/NAME</code>.</p>}
      <form onSubmit={run} aria-label="Transit operation">
        <div class="field">
          <label for="transit-key">Key</label>
          <select id="transit-key" value={chosen} onChange={(e) => setKey((e.target as HTMLSelectElement).value)}>
            {(keys.value ?? []).map((k) => <option value={k}>{k}</option>)}
          </select>
        </div>
        <fieldset>
          <legend>Operation</legend>
          {(['encrypt', 'decrypt', 'rewrap'] as const).map((op) => (
            <label class="check"><input type="radio" name="transit-op" value={op} checked={operation === op} onChange={() => { setOperation(op); setOutput(undefined); }} /> {op}</label>
          ))}
        </fieldset>
        <div class="field">
          <label for="transit-input">{operation === 'encrypt' ? 'Plaintext' : 'Ciphertext (vault:v1:…)'}</label>
          <textarea id="transit-input" rows={4} spellcheck={false} value={input} onInput={(e) => setInput((e.target as HTMLTextAreaElement).value)} />
        </div>
        <ErrorBox error={action.error} />
        <button type="submit" class="primary" disabled={action.busy || chosen === ''}>Run {operation}</button>
      </form>
      {output && (
        <p aria-live="polite">{output.label}: {output.secret ? <MaskedValue label={output.label} value={output.value} /> : <code class="wrap">{output.value}</code>}</p>
      )}
    </Page>
  );
}
