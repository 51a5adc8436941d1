// sys/version-history: every Vault API level this storage has run under, with when it was
// first unsealed at it. Recorded at each unseal, as Vault records its own version (core/versions/).
import { definePath, type PathDef } from '../core/path.js';
import type { Core } from '../core/core.js';
import { BUILD_DATE, VAULT_API_VERSION } from '../core/version.js';

/** One stored entry; times are epoch milliseconds. */
type VersionEntry = { version: string; build_date: string; timestamp_installed: number };

const PREFIX = 'core/versions/';

/** Go's time.RFC3339 in UTC: whole seconds, as Vault formats `timestamp_installed`. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Records the running version the first time storage is unsealed at it. */
async function recordVersion(core: Core): Promise<void> {
  const key = PREFIX + VAULT_API_VERSION;
  if (await core.barrier.get(key)) return;
  const entry: VersionEntry = { version: VAULT_API_VERSION, build_date: BUILD_DATE, timestamp_installed: core.clock.now() };
  await core.barrier.put(key, Buffer.from(JSON.stringify(entry)));
}

/** Vault's LIST answer: keys oldest first, each with its install time and predecessor. */
async function history(core: Core) {
  const entries: VersionEntry[] = [];
  for (const name of await core.barrier.list(PREFIX)) {
    const raw = await core.barrier.get(PREFIX + name);
    if (raw) entries.push(JSON.parse(raw.toString('utf8')) as VersionEntry);
  }
  entries.sort((a, b) => a.timestamp_installed - b.timestamp_installed);
  const keyInfo: Record<string, unknown> = {};
  entries.forEach((e, i) => {
    keyInfo[e.version] = {
      build_date: e.build_date,
      previous_version: i > 0 ? (entries[i - 1] as VersionEntry).version : null,
      timestamp_installed: rfc3339(e.timestamp_installed),
    };
  });
  return { data: { keys: entries.map((e) => e.version), key_info: keyInfo } };
}

/** The version-history path of the system backend; registers the record-on-unseal hook. */
export function versionHistoryPaths(core: Core): PathDef[] {
  core.onUnsealed(() => recordVersion(core));
  return [
    definePath({
      pattern: 'version-history/', summary: 'The Vault API versions this server has run, oldest first.', fields: {},
      operations: { list: async () => history(core) },
    }),
  ];
}
