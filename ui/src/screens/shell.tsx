// The logged-in layout: navigation, the token's identity and lifetime, and the routed screen.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { session } from '../session';
import { href } from '../router';
import { formatTtl, useAction } from '../widgets';
import { SecretsScreen } from './secrets';
import { PoliciesScreen } from './policies';
import { ExplorerScreen } from './explorer';
import { AccessScreen } from './access';
import { LeasesScreen } from './leases';
import { AuditScreen } from './audit';

const SECTIONS = [
  ['secrets', 'Secrets'], ['policies', 'Policies'], ['explorer', 'Who can access'],
  ['access', 'Access'], ['leases', 'Leases'], ['audit', 'Audit'],
] as const;

export function Shell({ route, onSealed }: { route: string[]; onSealed: () => void }) {
  const section = route[0] || 'secrets';
  const rest = route.slice(1);
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={href('secrets')}>Lockbox</a>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([id, label]) => (
              <li><a href={href(id)} aria-current={section === id ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <TokenBadge onSealed={onSealed} />
      </header>
      <main id="main" tabIndex={-1}>
        {section === 'secrets' && <SecretsScreen route={rest} />}
        {section === 'policies' && <PoliciesScreen route={rest} />}
        {section === 'explorer' && <ExplorerScreen />}
        {section === 'access' && <AccessScreen />}
        {section === 'leases' && <LeasesScreen route={rest} />}
        {section === 'audit' && <AuditScreen />}
      </main>
    </div>
  );
}

/** The token's name and policies, a live TTL countdown, and renew / revoke / log out. */
function TokenBadge({ onSealed }: { onSealed: () => void }) {
  const info = session.info!;
  const [now, setNow] = useState(Date.now());
  const action = useAction();
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = session.expiresAt ? Math.max(0, Math.round((session.expiresAt - now) / 1000)) : 0;
  return (
    <details class="token">
      <summary>
        <span>{info.display_name}</span>
        <span class="ttl" aria-label="Time left on this token">{session.expiresAt ? formatTtl(left) : 'no expiry'}</span>
      </summary>
      <div class="token-menu">
        <p>Policies: {info.policies.map((p) => <code class="tag">{p}</code>)}</p>
        <p>Accessor: <code>{info.accessor}</code></p>
        {action.error !== undefined && <p class="error" role="alert">{String((action.error as Error).message)}</p>}
        <div class="actions">
          {info.renewable && <button type="button" disabled={action.busy} onClick={() => void action.run(async () => {
            await api('PUT', 'auth/token/renew-self', {});
            await session.refresh();
          })}>Renew</button>}
          <button type="button" onClick={() => session.logout()}>Log out</button>
          <button type="button" class="danger" disabled={action.busy} onClick={() => void action.run(async () => {
            await api('PUT', 'auth/token/revoke-self', {});
            session.logout();
          })}>Revoke token</button>
          <button type="button" class="danger" disabled={action.busy} onClick={() => void action.run(async () => {
            await api('PUT', 'sys/seal', {});
            onSealed();
          })}>Seal</button>
        </div>
      </div>
    </details>
  );
}
