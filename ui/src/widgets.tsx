// Small building blocks every screen shares: async state, errors, confirmations, masked values.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** Runs `load` on mount and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { value: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({ value: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => live && setState({ value, error: undefined, loading: false }),
      (error: unknown) => live && setState({ value: undefined, error, loading: false }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Wraps an action: shows its error, disables while it runs. */
export function useAction(): { busy: boolean; error: unknown; run: (fn: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

/** The server's error messages (Vault's `errors`), or the local failure. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const lines = error instanceof ApiError && error.errors.length > 0 ? error.errors : [error instanceof Error ? error.message : String(error)];
  return (
    <div class="error" role="alert">
      {lines.map((line) => <pre>{line}</pre>)}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <p class="notice" role="status">{children}</p>;
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => { document.title = `${title} · Lockbox`; }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{title}</h1>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A labelled input; `id` ties the label to it for screen readers. */
export function TextField(props: { id: string; label: string; value: string; onInput: (v: string) => void; type?: string; placeholder?: string; required?: boolean; autoComplete?: string; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type={(props.type ?? 'text') as 'text'} value={props.value} placeholder={props.placeholder} required={props.required}
        autoComplete={props.autoComplete ?? 'off'} spellcheck={false} aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
      {props.hint && <small id={`${props.id}-hint`}>{props.hint}</small>}
    </div>
  );
}

/** A destructive action that asks first: the second click (within the dialog) does it. */
export function ConfirmButton({ label, question, onConfirm, disabled }: { label: string; question: string; onConfirm: () => void; disabled?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" class="danger" disabled={disabled} onClick={() => dialog.current?.showModal()}>{label}</button>
      <dialog ref={dialog} aria-label={label}>
        <form method="dialog">
          <p>{question}</p>
          <div class="actions">
            <button value="cancel" autofocus>Cancel</button>
            <button value="ok" class="danger" onClick={() => onConfirm()}>{label}</button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/**
 * A secret value: masked until revealed. The value is not in the DOM while masked (the mask is
 * a fixed string), and copying puts it on the clipboard without showing it.
 */
export function MaskedValue({ value, label }: { value: string; label: string }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <span class="masked">
      <code aria-label={shown ? `${label} value` : `${label} value, hidden`}>{shown ? value : '••••••••'}</code>
      <button type="button" class="small" aria-pressed={shown} onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Reveal'}</button>
      <button type="button" class="small" onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}>{copied ? 'Copied' : 'Copy'}</button>
    </span>
  );
}

/** Seconds as Vault shows durations: 1h2m3s. */
export function formatTtl(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

export function Loading() {
  return <p class="muted" aria-live="polite">Loading…</p>;
}
