// Routes live in the URL fragment (#/secrets/secret/app/): a reload or a shared link lands on
// the same screen, and the server needs no routes of its own. Paths and names may be in the
// URL; secret values never are.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string[] {
  const hash = location.hash.replace(/^#\/?/, '');
  return hash === '' ? [] : hash.split('/').map(decodeURIComponent);
}

/** Re-renders on every navigation; returns the route's segments (a trailing '' marks a folder). */
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(...segments: string[]): string {
  return `#/${segments.map((s) => s.split('/').map(encodeURIComponent).join('/')).join('/')}`;
}

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}
