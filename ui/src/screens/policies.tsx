// ACL policies: the list, one policy's text with an editor, and a parse error shown at the
// line (and column) the server names.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, listKeys } from '../api';
import { href, navigate } from '../router';
import { ConfirmButton, ErrorBox, Loading, Page, TextField, useAction, useLoad } from '../widgets';

export function PoliciesScreen({ route }: { route: string[] }) {
  const name = route[0];
  return name ? <PolicyView key={name} name={name} /> : <PolicyList />;
}

function PolicyList() {
  const names = useLoad(() => listKeys('sys/policies/acl'), []);
  const [newName, setNewName] = useState('');
  return (
    <Page title="ACL policies">
      <form class="inline" aria-label="Create a policy" onSubmit={(e) => { e.preventDefault(); if (newName.trim()) navigate('policies', newName.trim().toLowerCase()); }}>
        <TextField id="new-policy" label="New policy name" value={newName} onInput={setNewName} />
        <button type="submit" disabled={newName.trim() === ''}>Create policy</button>
      </form>
      {names.loading ? <Loading /> : <ErrorBox error={names.error} />}
      <ul class="keys" aria-label="Policies">
        {(names.value ?? []).map((n) => <li><a href={href('policies', n)}>{n}</a></li>)}
      </ul>
    </Page>
  );
}

/** Where a parse error points: "line 3, column 7", "3:7" or "At 3:7". */
export function errorLocation(message: string): { line: number; column?: number } | undefined {
  const named = /line (\d+)(?:,? col(?:umn)? (\d+))?/i.exec(message);
  if (named) return { line: Number(named[1]), column: named[2] ? Number(named[2]) : undefined };
  const pair = /\b(\d+):(\d+)\b/.exec(message);
  return pair ? { line: Number(pair[1]), column: Number(pair[2]) } : undefined;
}

function PolicyView({ name }: { name: string }) {
  const policy = useLoad(async () => ((await api('GET', `sys/policies/acl/${encodeURIComponent(name)}`))?.data?.policy as string | undefined), [name]);
  const [text, setText] = useState<string>();
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const area = useRef<HTMLTextAreaElement>(null);
  const builtIn = name === 'root' || name === 'response-wrapping';
  useEffect(() => { if (policy.value !== undefined) setText(policy.value); else if (!policy.loading) setText(''); }, [policy.value, policy.loading]);
  const message = action.error instanceof ApiError ? action.error.errors.join('\n') : '';
  const where = message ? errorLocation(message) : undefined;
  const value = text ?? '';
  const lines = value.split('\n');
  const jumpTo = () => {
    if (!where || !area.current) return;
    const offset = lines.slice(0, where.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (where.column ?? 1) - 1);
    area.current.focus();
    area.current.setSelectionRange(offset, offset);
  };
  if (policy.loading && text === undefined) return <Page title={`Policy ${name}`}><Loading /></Page>;
  return (
    <Page title={`Policy ${name}`} actions={!builtIn && name !== 'default' && policy.value !== undefined && (
      <ConfirmButton label="Delete policy" question={`Delete the policy ${name}? Tokens that carry it lose what it grants.`}
        onConfirm={() => void action.run(async () => { await api('DELETE', `sys/policies/acl/${encodeURIComponent(name)}`); navigate('policies'); })} />
    )}>
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href('policies')}>← Policies</a></nav>
      <form onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void action.run(async () => {
          await api('PUT', `sys/policies/acl/${encodeURIComponent(name)}`, { policy: value });
          setSaved(true);
          policy.reload();
        });
      }}>
        <div class="code-editor">
          <ol class="gutter" aria-hidden="true">
            {lines.map((_, i) => <li class={where?.line === i + 1 ? 'bad' : undefined}>{i + 1}</li>)}
          </ol>
          <label for="policy-text" class="sr-only">Policy text (HCL or JSON)</label>
          <textarea id="policy-text" ref={area} rows={Math.max(12, lines.length + 1)} spellcheck={false} readOnly={builtIn}
            aria-invalid={where ? 'true' : undefined} aria-describedby={where ? 'policy-error' : undefined}
            value={value} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </div>
        {action.error !== undefined && (
          <div id="policy-error" class="error" role="alert">
            <pre>{message || String((action.error as Error).message)}</pre>
            {where && <button type="button" class="small" onClick={jumpTo}>Go to line {where.line}{where.column ? `, column ${where.column}` : ''}</button>}
          </div>
        )}
        {saved && <p role="status">Policy saved.</p>}
        {!builtIn && <button type="submit" class="primary" disabled={action.busy}>Save policy</button>}
      </form>
    </Page>
  );
}
