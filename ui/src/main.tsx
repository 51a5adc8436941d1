// The Lockbox web UI: seal screens first, then login, then the screens of a logged-in session.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Json } from './api';
import { session } from './session';
import { useRoute } from './router';
import { InitScreen, UnsealScreen } from './screens/seal';
import { LoginScreen } from './screens/login';
import { Shell } from './screens/shell';
import { Loading } from './widgets';

type SealStatus = { initialized: boolean; sealed: boolean; t: number; n: number; progress: number; version: string };

function useSealStatus(): [SealStatus | undefined, () => void] {
  const [status, setStatus] = useState<SealStatus>();
  const load = () => void api('GET', 'sys/seal-status', undefined, { token: null }).then((s) => setStatus(s as SealStatus), () => undefined);
  useEffect(() => {
    load();
    // A server sealed by someone else shows up here within a few seconds.
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return [status, load];
}

function useSession(): typeof session {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((t) => t + 1)), []);
  return session;
}

function App() {
  const [status, reloadStatus] = useSealStatus();
  const s = useSession();
  const route = useRoute();
  useEffect(() => { if (s.token && !s.info) void s.refresh(); }, []);
  if (!status) return <main><Loading /></main>;
  if (!status.initialized) return <main><InitScreen onDone={reloadStatus} /></main>;
  if (status.sealed) return <main><SealedBanner /><UnsealScreen status={status} onProgress={reloadStatus} /></main>;
  if (!s.token) return <main><LoginScreen /></main>;
  if (!s.info) return <main><Loading /></main>;
  return <Shell route={route} onSealed={reloadStatus} />;
}

function SealedBanner() {
  return <div class="banner" role="alert">Lockbox is sealed: nothing can be read or written until it is unsealed.</div>;
}

export type { Json };
render(<App />, document.getElementById('app') as HTMLElement);
