// Editing a secret's values as key/value rows or as JSON. Values are typed into password
// fields in row mode, so they are not shown while typed unless the person asks.
import { useState } from 'preact/hooks';
import type { Json } from '../api';

type Row = { key: string; value: string };

const toRows = (data: Json): Row[] => {
  const rows = Object.entries(data).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));
  return rows.length > 0 ? rows : [{ key: '', value: '' }];
};

export function SecretEditor({ initial, busy, onSave, onCancel }: { initial: Json; busy: boolean; onSave: (data: Json) => void; onCancel: () => void }) {
  const [mode, setMode] = useState<'rows' | 'json'>('rows');
  const [rows, setRows] = useState<Row[]>(() => toRows(initial));
  const [json, setJson] = useState(() => JSON.stringify(initial, null, 2));
  const [showValues, setShowValues] = useState(false);
  const [error, setError] = useState('');

  const fromRows = (): Json => Object.fromEntries(rows.filter((r) => r.key !== '').map((r) => [r.key, r.value]));
  const switchTo = (next: 'rows' | 'json') => {
    setError('');
    if (next === 'json') setJson(JSON.stringify(fromRows(), null, 2));
    else {
      try {
        setRows(toRows(JSON.parse(json) as Json));
      } catch (err) {
        setError(`The JSON does not parse: ${(err as Error).message}`);
        return;
      }
    }
    setMode(next);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    setError('');
    if (mode === 'rows') {
      const keys = rows.map((r) => r.key).filter((k) => k !== '');
      if (new Set(keys).size !== keys.length) return setError('Two rows have the same key.');
      return onSave(fromRows());
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      return setError(`The JSON does not parse: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return setError('A secret is a JSON object of keys and values.');
    onSave(parsed as Json);
  };
  const update = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <form class="editor" onSubmit={submit} aria-label="Edit secret">
      <div role="tablist" aria-label="Editor">
        <button type="button" role="tab" aria-selected={mode === 'rows'} onClick={() => switchTo('rows')}>Key/value</button>
        <button type="button" role="tab" aria-selected={mode === 'json'} onClick={() => switchTo('json')}>JSON</button>
      </div>
      {mode === 'rows' ? (
        <div role="tabpanel">
          <label class="check"><input type="checkbox" checked={showValues} onChange={() => setShowValues(!showValues)} /> Show values while editing</label>
          {rows.map((r, i) => (
            <div class="row">
              <input aria-label={`Key ${i + 1}`} value={r.key} spellcheck={false} autoComplete="off" onInput={(e) => update(i, { key: (e.target as HTMLInputElement).value })} />
              <input aria-label={`Value ${i + 1}`} type={(showValues ? 'text' : 'password') as 'text'} value={r.value} spellcheck={false} autoComplete="off"
                onInput={(e) => update(i, { value: (e.target as HTMLInputElement).value })} />
              <button type="button" class="small" aria-label={`Remove row ${i + 1}`} onClick={() => setRows(rows.length > 1 ? rows.filter((_, j) => j !== i) : [{ key: '', value: '' }])}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => setRows([...rows, { key: '', value: '' }])}>Add row</button>
        </div>
      ) : (
        <div role="tabpanel">
          <label for="secret-json">Secret as JSON</label>
          <textarea id="secret-json" rows={12} spellcheck={false} value={json} onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)} />
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>Save</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
