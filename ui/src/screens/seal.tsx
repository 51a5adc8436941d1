// Initialising and unsealing. The key shares and the root token are shown once, at init.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox, Page, TextField, useAction } from '../widgets';

export function InitScreen({ onDone }: { onDone: () => void }) {
  const [shares, setShares] = useState('5');
  const [threshold, setThreshold] = useState('3');
  const [result, setResult] = useState<{ keys_base64: string[]; root_token: string }>();
  const action = useAction();
  if (result) return <InitResult result={result} onDone={onDone} />;
  return (
    <Page title="Initialise Lockbox">
      <p>This server has no keys yet. Choose how many key shares to split the root key into, and how many are needed to unseal.</p>
      <form onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const res = await api('PUT', 'sys/init', { secret_shares: Number(shares), secret_threshold: Number(threshold) }, { token: null });
          setResult(res as { keys_base64: string[]; root_token: string });
        });
      }}>
        <TextField id="init-shares" label="Key shares" type="number" value={shares} onInput={setShares} required />
        <TextField id="init-threshold" label="Key threshold" type="number" value={threshold} onInput={setThreshold} required />
        <ErrorBox error={action.error} />
        <button type="submit" disabled={action.busy}>Initialise</button>
      </form>
    </Page>
  );
}

function InitResult({ result, onDone }: { result: { keys_base64: string[]; root_token: string }; onDone: () => void }) {
  const text = [...result.keys_base64.map((k, i) => `Unseal Key ${i + 1}: ${k}`), `Initial Root Token: ${result.root_token}`].join('\n');
  const download = () => {
    const url = URL.createObjectURL(new Blob([text + '\n'], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'lockbox-init.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Page title="Lockbox is initialised">
      <div class="warning" role="alert">
        These keys and the root token are shown <strong>only now</strong>. Store each key share with a different
        person; without enough of them, nobody can unseal this server and its data is lost.
      </div>
      <ol class="keys" aria-label="Unseal key shares">
        {result.keys_base64.map((k) => <li><code>{k}</code></li>)}
      </ol>
      <p>Initial root token: <code>{result.root_token}</code></p>
      <div class="actions">
        <button type="button" onClick={() => void navigator.clipboard.writeText(text)}>Copy all</button>
        <button type="button" onClick={download}>Download</button>
        <button type="button" class="primary" onClick={onDone}>Continue to unseal</button>
      </div>
    </Page>
  );
}

export function UnsealScreen({ status, onProgress }: { status: { t: number; n: number; progress: number }; onProgress: () => void }) {
  const [key, setKey] = useState('');
  const action = useAction();
  return (
    <Page title="Unseal Lockbox">
      <p>Enter key shares one at a time: {status.t} of {status.n} are needed.</p>
      <progress aria-label="Unseal progress" max={status.t} value={status.progress} />
      <p aria-live="polite">{status.progress} of {status.t} key shares entered.</p>
      <form onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await api('PUT', 'sys/unseal', { key }, { token: null });
          setKey('');
          onProgress();
        });
      }}>
        <TextField id="unseal-key" label="Key share" type="password" value={key} onInput={setKey} required autoComplete="off" />
        <ErrorBox error={action.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={action.busy || key === ''}>Unseal</button>
          <button type="button" onClick={() => void action.run(async () => { await api('PUT', 'sys/unseal', { reset: true }, { token: null }); onProgress(); })}>Start over</button>
        </div>
      </form>
    </Page>
  );
}
